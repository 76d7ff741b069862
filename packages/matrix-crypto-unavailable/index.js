// matrix-bot-sdk imports this module at load time but only touches it inside its crypto classes.
// Any property access therefore throws, so an accidental use fails loudly instead of silently.
const message = "end-to-end encryption is not available in crier (the native Matrix crypto module is replaced)";
module.exports = new Proxy(
  {},
  {
    get(_target, prop) {
      if (prop === "__esModule" || prop === "then" || typeof prop === "symbol") return undefined;
      throw new Error(message);
    },
  },
);
