import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The built pages ship inside the Python package; the plugin serves them under
// /plugins/global/saleor.notify/app/ and injects a <base href> there, hence relative URLs.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("../saleor_notify_plugin/dashboard/static", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
});
