// Validates documents against the committed perf-result/1 JSON Schema (draft 2020-12).

import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const schema = JSON.parse(readFileSync(new URL('../../../results/schema/perf-result-1.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);

/**
 * Validates a document; its errors are in `validatePerfResult.errors` afterwards. (Typed as a
 * plain check, not ajv's type guard, which would narrow the document to `unknown`.)
 * @type {((document: unknown) => boolean) & { errors?: unknown }}
 */
export const validatePerfResult = ajv.compile(schema);
