import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';
import { compileJsonParse, type JsonParse, type JsonSchemaNode } from './compile-json-parse.js';
import { DOCUMENT_SCHEMAS } from './document-schemas.js';

/** The documents core reads, by name. */
export type DocumentName = `manifest:${ManifestFlavour}` | 'integrity-record' | 'signature';

const schemaOf = (name: DocumentName): JsonSchemaNode => {
  if (name === 'integrity-record') return DOCUMENT_SCHEMAS.integrityRecord;
  if (name === 'signature') return DOCUMENT_SCHEMAS.signature;
  return DOCUMENT_SCHEMAS.manifests[name.slice('manifest:'.length) as ManifestFlavour];
};

const compiled = new Map<DocumentName, JsonParse>();

/** The zod-free parse of a document (compiled on first use): zod's output for a valid one, else `NO_MATCH`. */
export function documentParser(name: DocumentName): JsonParse {
  let parse = compiled.get(name);
  if (parse === undefined) {
    parse = compileJsonParse(schemaOf(name));
    compiled.set(name, parse);
  }
  return parse;
}
