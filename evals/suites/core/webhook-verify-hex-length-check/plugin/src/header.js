// Parses signature headers of the form `t=1700000000,v1=<hex>,v1=<hex>,v0=<hex>`.
// Senders repeat `v1` while they roll a secret, and add schemes we do not know
// (`v0` test signatures); both must be tolerated, not rejected.

export function parseSignatureHeader(header) {
  const result = { timestamp: null, signatures: [] };
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      // Number('') is 0 and Number('1e9') is 1000000000; only plain digits are a timestamp.
      if (/^\d{1,12}$/.test(value)) result.timestamp = Number.parseInt(value, 10);
    } else if (key === 'v1' && value !== '') {
      result.signatures.push(value.toLowerCase());
    }
  }
  return result;
}
