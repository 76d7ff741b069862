/**
 * Import rules for src/ (run by `npm run lint`): no import cycles, and the layers only import downwards.
 * Features are the top: nothing below them imports a feature; they reach each other through factory parameters.
 *
 * Run-time imports between folders form one order (no cycle between folders):
 *   core < store < services < delivery, lifecycle, adapters < config < relay, web < features < app.ts, cli
 * Type-only imports are erased at compile time and may name a type declared above (core's contract names the
 * store's and the clock's types); the `below` rules still keep them out of the layers named there.
 */
const below = (from, ...forbidden) => ({
  name: `${from}-imports-only-below`,
  severity: "error",
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${forbidden.join("|")})/` },
});

/** A folder's run-time imports may reach only the folders listed (and itself); never a top-level file of src/. */
const runtimeOnly = (from, ...allowed) => ({
  name: `${from}-runtime-imports-in-order`,
  comment: `${from} may import at run time only: ${allowed.join(", ") || "nothing outside itself"}`,
  severity: "error",
  from: { path: `^src/${from}/` },
  to: {
    path: `^src/((?!(${[from, ...allowed].join("|")})/)[^/]+/|[^/]+$)`,
    dependencyTypesNot: ["type-only"],
  },
});

module.exports = {
  forbidden: [
    runtimeOnly("core"),
    runtimeOnly("store", "core"),
    runtimeOnly("services", "core", "store"),
    runtimeOnly("delivery", "core", "store", "services"),
    runtimeOnly("lifecycle", "core", "store", "services"),
    runtimeOnly("adapters", "core", "store", "services"),
    runtimeOnly("config", "core", "store", "services", "adapters"),
    runtimeOnly("relay", "core", "store", "services", "delivery", "config"),
    runtimeOnly("web", "core", "store", "services", "delivery", "config"),
    runtimeOnly("features", "core", "store", "services", "delivery", "lifecycle", "config", "relay", "web"),
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
