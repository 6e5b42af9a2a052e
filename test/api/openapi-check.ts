// Checks a handler's response against api/openapi.json: the status is documented for the operation
// and the JSON body validates against its schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import document from '../../api/openapi.json';
import type { ApiResponse } from '../../api/shared/http';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: document.components }, 'openapi');

type Operation = { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }> };

/** Throws unless `response` is one the document promises for `method path`. */
export function expectDocumented(method: 'get' | 'post' | 'patch' | 'delete', path: string, response: ApiResponse): void {
  const operation = (document.paths as unknown as Record<string, Record<string, Operation>>)[path]?.[method];
  if (!operation) throw new Error(`api/openapi.json has no operation ${method.toUpperCase()} ${path}`);
  let documented = operation.responses[String(response.statusCode)];
  if (!documented)
    throw new Error(`api/openapi.json does not document ${response.statusCode} for ${method.toUpperCase()} ${path}: ${response.body}`);
  if (documented.$ref) documented = (document.components.responses as Record<string, typeof documented>)[documented.$ref.split('/').pop()!];
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) {
    if (response.body)
      throw new Error(`${response.statusCode} for ${method.toUpperCase()} ${path} is documented without a body, got ${response.body}`);
    return;
  }
  const validate = ajv.compile({ $ref: `openapi#/components/schemas/${(schema as { $ref: string }).$ref.split('/').pop()}` });
  if (!validate(JSON.parse(String(response.body)))) {
    throw new Error(
      `${response.statusCode} for ${method.toUpperCase()} ${path} does not match api/openapi.json: ` +
        `${ajv.errorsText(validate.errors)}\n${response.body}`,
    );
  }
}
