/** Services account names from the server, the ids built from them, and the account book's bounds. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AccountBook, accountName, ircUser } from "../../../../src/adapters/irc/accounts.js";
import { parseConfig } from "../../../../src/config/load.js";
import { ConfigError } from "../../../../src/core/errors.js";

describe("IRC services accounts", () => {
  it("reads the server's account field; '*', '0', empty and malformed names mean no account", () => {
    assert.equal(accountName("alice"), "alice");
    assert.equal(accountName("[away]|x^"), "[away]|x^");
    for (const none of [undefined, null, false, "", "*", "0", "~alice", "a b", "a:b", "a,b", "x".repeat(65)])
      assert.equal(accountName(none), null, String(none));
  });

  it("an account id never equals the id of a nick without an account", () => {
    const account = ircUser("irc.l", "boss", "boss", false);
    const nick = ircUser("irc.l", "boss", null, false);
    assert.deepEqual(account, { account: "irc.l", id: "boss", name: "boss" });
    assert.deepEqual(nick, { account: "irc.l", id: "~boss", name: "boss", unverified: true });
    assert.notEqual(account.id, nick.id);
    // trustNicks: the nick is the id, as on a private server.
    assert.deepEqual(ircUser("irc.l", "boss", null, true), { account: "irc.l", id: "boss", name: "boss" });
  });

  it("the account book follows nick changes case-insensitively and forgets", () => {
    const book = new AccountBook();
    book.set("Alice", "alice");
    book.set("bob", null);
    assert.equal(book.get("alice"), "alice");
    assert.equal(book.get("BOB"), null);
    assert.equal(book.get("carol"), undefined);
    book.rename("alice", "Alice_");
    assert.equal(book.get("alice"), undefined);
    assert.equal(book.get("alice_"), "alice");
    book.set("zed", "zed");
    book.rename("unknown", "zed");
    assert.equal(book.get("zed"), undefined, "a nick nobody knew replaces what was known about its new name");
    book.forget("alice_");
    assert.equal(book.get("alice_"), undefined);
  });

  it("keeps at most 20,000 nicks, dropping the oldest", () => {
    const book = new AccountBook();
    for (let i = 0; i < 20_001; i++) book.set(`n${i}`, `a${i}`);
    assert.equal(book.get("n0"), undefined);
    assert.equal(book.get("n20000"), "a20000");
  });

  it("a ~nick id in admins is refused at start with the reason", () => {
    assert.throws(
      () => parseConfig("accounts:\n  irc.l:\n    host: x\n    nick: crier\nadmins: ['irc.l:~boss']\n", {}, "c.yaml"),
      (err: unknown) => err instanceof ConfigError && /admins\[0\].*can never be an admin/.test(err.message),
    );
    assert.doesNotThrow(() =>
      parseConfig("accounts:\n  irc.l:\n    host: x\n    nick: crier\nadmins: ['irc.l:boss']\n", {}),
    );
  });
});
