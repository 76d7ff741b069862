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
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|dist)/" },
  },
};
