// irc-framework ships no type declarations; the adapter treats its events as plain objects.
declare module "irc-framework" {
  // biome-ignore lint/suspicious/noExplicitAny: untyped library surface.
  const IRC: { Client: new () => any };
  export default IRC;
}
