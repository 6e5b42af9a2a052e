/**
 * S3's XML, both ways: request documents (CompleteMultipartUpload, Delete) are parsed with
 * fast-xml-parser; responses are small fixed shapes, written here with every text value escaped.
 */
import { parse, validate } from 'fast-xml-parser';
import { s3Errors } from './s3-errors';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** fast-xml-parser 3 leaves entities encoded: decode the XML ones (named and numeric). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * Parses a request document. Values stay strings, untrimmed (keys may start or end with spaces,
 * or look like numbers), and the repeated elements named in `lists` are always arrays.
 */
export function parseXml(text: string, lists: string[]): Record<string, unknown> {
  if (validate(text) !== true) throw s3Errors.malformedXml();
  try {
    return parse(text, {
      ignoreAttributes: true,
      ignoreNameSpace: true,
      parseNodeValue: false,
      trimValues: false,
      arrayMode: (tagName: string) => lists.includes(tagName),
      tagValueProcessor: (value: string) => decodeEntities(value),
    }) as Record<string, unknown>;
  } catch {
    throw s3Errors.malformedXml();
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An XML element tree: a string is text, an array repeats, undefined elements are left out. */
export type XmlValue = string | number | boolean | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

function render(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => render(name, item)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([child, v]) => render(child, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A response document with S3's namespace on the root element. */
export function xmlDocument(root: string, body: XmlObject, namespace = true): string {
  const inner = Object.entries(body)
    .map(([child, v]) => render(child, v))
    .join('');
  const xmlns = namespace ? ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${xmlns}>${inner}</${root}>`;
}
