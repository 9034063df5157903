// Prints the README's configuration table from src/config/options.ts: npx tsx scripts/config-table.ts
import { OPTIONS } from "../src/config/options.js";

console.log("| Environment | Flag | Default | Meaning |");
console.log("|---|---|---|---|");
for (const spec of Object.values(OPTIONS)) {
  const secret = "secret" in spec && spec.secret ? " (secret: masked when printed)" : "";
  console.log(`| \`${spec.env}\` | \`${spec.flag}\` | ${spec.default === "" ? "(empty)" : `\`${spec.default}\``} | ${spec.doc}${secret} |`);
}
