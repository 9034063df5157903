/**
 * A page from another origin, open in the operator's browser on the same machine, attacks the
 * control plane: it opens the tRPC WebSocket to run `control.run`, and submits a cross-site
 * multipart form to the `mlops.train` mutation. Both are refused before anything reaches the
 * nodes: no admin request with either command appears on NATS. Real node, real chromium.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { startControlStack } from "./fixtures.js";

function attackerPage(target: string): string {
  const ws = target.replace(/^http/, "ws") + "/trpc";
  return `<!doctype html><html><body>
<script>
window.wsEvents = new Promise((resolve) => {
  const events = [];
  const ws = new WebSocket(${JSON.stringify(ws)});
  ws.onopen = () => {
    events.push("open");
    ws.send(JSON.stringify({ id: 1, method: "mutation", params: { path: "control.run", input: { command: "attack-probe-ws" } } }));
  };
  ws.onmessage = (e) => { events.push("message " + e.data); resolve(events); };
  ws.onclose = (e) => { events.push("close " + e.code); resolve(events); };
});
</script>
<form id="train" method="POST" action="${target}/trpc/mlops.train" enctype="multipart/form-data" target="sink">
  <input name="symbol" value="BTCUSDT">
</form>
<iframe name="sink"></iframe>
</body></html>`;
}

test("a page of another origin can neither run control.run over the WebSocket nor post a form to a mutation", { skip: skipWithoutChromium }, async () => {
  await using stack = await startControlStack();
  const adminCommands: string[] = [];
  const sub = stack.nc.subscribe("admin.>", { callback: (_err, msg) => void adminCommands.push(msg.subject) });

  const attacker = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(attackerPage(stack.web.url)));
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  const attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(attackerUrl);

    const events = await page.evaluate(() => (window as unknown as { wsEvents: Promise<string[]> }).wsEvents);
    assert.ok(!events.includes("open"), `the WebSocket was refused before opening: ${events.join(" | ")}`);
    assert.ok(!events.some((e) => e.startsWith("message")), "no reply reached the page");

    const posted = page.waitForResponse((r) => r.url().includes("/trpc/mlops.train"));
    await page.evaluate(() => (document.getElementById("train") as HTMLFormElement).submit());
    const reply = await posted;
    assert.equal(reply.status(), 403, "the cross-site form is refused");

    // Both refusals were answered before anything was forwarded; anything forwarded would be on NATS by now.
    await stack.nc.flush();
    assert.deepEqual(adminCommands.filter((s) => /\.(attack-probe-ws|train)$/.test(s)), [], "no admin request reached the nodes");
  } finally {
    sub.unsubscribe();
    await browser.close();
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  }
});
