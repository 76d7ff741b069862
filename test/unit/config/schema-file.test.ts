import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { configJsonSchema } from "../../../src/config/schema.js";

describe("config/schema.json", () => {
  it("is the schema the code validates with (regenerate: npm run schema)", () => {
    assert.deepEqual(
      JSON.parse(readFileSync("config/schema.json", "utf8")),
      JSON.parse(JSON.stringify(configJsonSchema())),
    );
  });
});
