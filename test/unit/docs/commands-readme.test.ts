/** The README documents every command a newcomer can type, and every CLI subcommand. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildFeatures } from "../../../src/features/index.js";

const features = buildFeatures().all;

const readme = readFileSync("README.md", "utf8");

describe("README", () => {
  for (const f of features) {
    for (const c of f.commands ?? []) {
      it(`documents ${c.prefix ?? "!"}${c.name}`, () => {
        assert.ok(readme.includes(`${c.prefix ?? "!"}${c.name}`), `README.md has no ${c.prefix ?? "!"}${c.name}`);
      });
    }
  }
  it("has the two quick-start commands", () => {
    assert.match(readme, /```sh\nnpm ci && npm start\n```/);
    assert.match(readme, /```sh\nnpm test\n```/);
  });
});
