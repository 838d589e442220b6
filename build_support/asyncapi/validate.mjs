// Validates an AsyncAPI document with the AsyncAPI project's own parser (its Spectral rules),
// then checks every message example against the payload and headers schemas as the parser
// resolved them (the parser's rules for AsyncAPI 3 do not look at examples).
//
// Usage: node build_support/asyncapi/validate.mjs <document.json>
// Prints one line per finding, then a JSON summary; exits 1 when one is an error.
import { readFile } from "node:fs/promises";

import { Parser } from "@asyncapi/parser";
import Ajv from "ajv";
import addFormats from "ajv-formats";

// Spectral's DiagnosticSeverity: 0 error, 1 warning, 2 information, 3 hint.
const SEVERITY = ["error", "warning", "info", "hint"];

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs <asyncapi document>");
  process.exit(2);
}
const text = await readFile(file, "utf8");
const { document, diagnostics } = await new Parser().parse(text, { source: file });
const found = diagnostics.map((d) => ({
  severity: SEVERITY[d.severity] ?? String(d.severity),
  code: String(d.code),
  path: d.path.join("/"),
  message: d.message,
}));

let examples = 0;
if (document) {
  // AsyncAPI schemas are a superset of JSON Schema draft 07, which Ajv's default class reads.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const message of document.messages()) {
    const checks = [
      ["payload", message.payload()],
      ["headers", message.headers()],
    ].filter(([, schema]) => schema !== undefined);
    const validators = checks.map(([part, schema]) => [part, ajv.compile(schema.json())]);
    message.examples().forEach((example, index) => {
      examples += 1;
      for (const [part, validate] of validators) {
        const value = part === "payload" ? example.payload() : example.headers();
        if (value === undefined || validate(value)) continue;
        for (const error of validate.errors) {
          found.push({
            severity: "error",
            code: "message-example-invalid",
            path: `components/messages/${message.id()}/examples/${index}/${part}${error.instancePath}`,
            message: `${error.message} (${error.schemaPath})`,
          });
        }
      }
    });
  }
}

for (const d of found) console.log(`${d.severity} ${d.code} at /${d.path}: ${d.message}`);
const summary = {
  parsed: document !== undefined,
  asyncapi: document?.version(),
  channels: document?.channels().length ?? 0,
  operations: document?.operations().length ?? 0,
  messages: document?.messages().length ?? 0,
  examples,
  diagnostics: found,
};
console.log(JSON.stringify(summary));
process.exit(document && !found.some((d) => d.severity === "error") ? 0 : 1);
