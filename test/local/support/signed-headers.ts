// Headers that make a hand-made request to a local AWS endpoint "signed" as the stack requires: a
// well-formed SigV4 Authorization (any key; the signature is not verified, see local/http/request-signature.ts).
export function signedHeaders(service: string, now = new Date()): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return {
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=test/${amzDate.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  };
}
