/**
 * Import rules for src/ (run by `npm run lint`): no import cycles, and the layers only import downwards.
 * Features are the top: nothing below them imports a feature; they reach each other through factory parameters.
 */
const below = (from, ...forbidden) => ({
  name: `${from}-imports-only-below`,
  severity: "error",
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${forbidden.join("|")})/` },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle; break it with an interface the lower part declares.",
      severity: "error",
      from: { path: "^src/" },
      // Type-only imports are erased at compile time; a cycle through them alone does not load modules in a loop.
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    below("relay", "features", "web", "cli", "adapters"),
    below("web", "features", "relay", "cli", "adapters"),
    below("delivery", "features", "relay", "web", "cli", "adapters"),
    below("services", "features", "relay", "web", "cli", "adapters"),
    below("store", "features", "relay", "web", "cli", "adapters", "services", "delivery"),
    below("adapters", "features", "relay", "web", "cli"),
    {
      name: "platform-library-only-in-its-adapter",
      comment:
        "discord.js, matrix-bot-sdk, irc-framework and pg cost 10–45 MiB each: only the adapter (or store) that needs one " +
        "imports it, and that code is loaded with import() when such an account (or store) is configured.",
      severity: "error",
      from: { pathNot: "^src/(adapters/(irc|matrix|discord)/(?!config\\.ts$|migrations\\.ts$)|store/postgres\\.ts$)" },
      to: {
        path: "node_modules/(discord\\.js|@discordjs/[^/]+|matrix-bot-sdk|irc-framework|pg)/",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "platform-code-loaded-lazily",
      comment:
        "Outside its own folder, a platform's adapter code (all but its config schema and migrations) is reached only " +
        "through import() — src/adapters/index.ts does it when an account of that platform is configured.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/adapters/(irc|matrix|discord)/" },
      to: {
        path: "^src/adapters/(irc|matrix|discord)/(?!config\\.ts$|migrations\\.ts$)",
        dependencyTypesNot: ["type-only", "dynamic-import"],
      },
    },
    {
      name: "postgres-store-loaded-lazily",
      comment: "The PostgreSQL store (and pg) is loaded by the store factory with import(), only when configured.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/store/postgres\\.ts$" },
      to: { path: "^src/store/postgres\\.ts$", dependencyTypesNot: ["type-only", "dynamic-import"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|dist)/" },
  },
};
