/**
 * Builds the dashboard (src/web/app) into dist/web. JSX goes through Vite's own transformer
 * (no React plugin needed for a production build). In dev (`vite --config src/web/vite.config.ts`)
 * /trpc, /healthz and /metrics are proxied to a running node on :3000; start that node with
 * WEB_ALLOWED_ORIGINS=http://localhost:5173 (the dev page's origin), the proxy sends the node's own Host.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("./app"),
  base: "/",
  publicDir: false,
  build: {
    outDir: here("../../dist/web"),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      "/trpc": { target: "http://127.0.0.1:3000", ws: true, changeOrigin: true },
      "/auth": { target: "http://127.0.0.1:3000", changeOrigin: true },
      "/healthz": "http://127.0.0.1:3000",
      "/metrics": "http://127.0.0.1:3000",
    },
  },
});
