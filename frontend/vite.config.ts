import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development, `npm run dev` proxies the API (HTTP and WebSocket) to a local server.
const api = process.env.AGORA_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/graphql": { target: api, ws: true, changeOrigin: false },
      // An epoch's distribution CSV (not the "/rewards" page, which is the app's own).
      "^/rewards/.+\\.csv$": { target: api, changeOrigin: false },
      "/export": { target: api, changeOrigin: false },
    },
  },
});
