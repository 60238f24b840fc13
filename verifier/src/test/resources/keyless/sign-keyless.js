// Produces a real Sigstore keyless bundle offline, with an independent implementation (sigstore-js):
// @sigstore/sign's FulcioSigner + RekorWitness talk to @sigstore/mock's Fulcio, CT log and Rekor,
// served in-process by nock. Writes the bundle and a trusted_root.json naming the mock CA and logs.
//
// usage: node sign-keyless.js PAYLOAD_FILE BUNDLE_OUT TRUSTED_ROOT_OUT IDENTITY_URI ISSUER [LOG_DELAY_SECONDS]
// LOG_DELAY_SECONDS moves the log's clock ahead (a test of the certificate-valid-at-integrated-time check).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const nock = require('nock');
const mock = require('@sigstore/mock');
const { DSSEBundleBuilder, FulcioSigner, RekorWitness } = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');

const FULCIO = 'https://fulcio.sigstore.mock';
const REKOR = 'https://rekor.sigstore.mock';

function b64url(o) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

// Rekor's server stores a dsse entry canonicalized (hashes and signatures, not the proposed content); the
// mock embeds what it is given, so do the server's part here before the mock signs the entry.
function canonicalizeDsse(req) {
  const entry = JSON.parse(req);
  if (entry.kind !== 'dsse' || !entry.spec || !entry.spec.proposedContent) {
    return req;
  }
  const envelopeJson = entry.spec.proposedContent.envelope;
  const envelope = JSON.parse(envelopeJson);
  const hex = (b) => crypto.createHash('sha256').update(b).digest('hex');
  return JSON.stringify({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: hex(envelopeJson) },
      payloadHash: { algorithm: 'sha256', value: hex(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((s) => ({ signature: s.sig,
        verifier: entry.spec.proposedContent.verifiers[0] })),
    },
  });
}

function serve(base, handler, rewrite) {
  nock(base).persist().post(handler.path).reply(async (_uri, body) => {
    let req = typeof body === 'string' ? body : JSON.stringify(body);
    if (rewrite) {
      req = rewrite(req);
    }
    const r = await handler.fn(req);
    return [r.statusCode, r.response, { 'Content-Type': r.contentType || 'text/plain' }];
  });
}

async function main() {
  const [payloadFile, bundleOut, rootOut, email, issuer, logDelay] = process.argv.slice(2);
  // Whole seconds (Rekor's integratedTime has no fraction), one second ahead so that the log time is not
  // before the certificate's notBefore.
  const clock = new Date((Math.floor(Date.now() / 1000) + 1) * 1000);
  const caKeys = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctKeys = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const tlogKeys = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctlog = await mock.initializeCTLog(ctKeys, clock);
  const ca = await mock.initializeCA(caKeys, ctlog, clock);
  const logClock = new Date(clock.getTime() + 1000 * Number(logDelay || 0));
  const tlog = await mock.initializeTLog(REKOR, tlogKeys, logClock);
  serve(FULCIO, mock.fulcioHandler(ca, { strict: true, subjectClaim: 'sub' }));
  serve(REKOR, mock.rekorHandler(tlog, { strict: true }), canonicalizeDsse);

  const token = b64url({ alg: 'none', typ: 'JWT' }) + '.' +
    b64url({ iss: issuer, sub: email, aud: 'sigstore', iat: Math.floor(clock / 1000),
      exp: Math.floor(clock / 1000) + 600 }) + '.sig';
  const signer = new FulcioSigner({ fulcioBaseURL: FULCIO, identityProvider: { getToken: async () => token } });
  const witness = new RekorWitness({ rekorBaseURL: REKOR, entryType: 'dsse' });
  const builder = new DSSEBundleBuilder({ signer, witnesses: [witness] });
  const bundle = await builder.create({ data: fs.readFileSync(payloadFile), type: 'application/vnd.in-toto+json' });
  fs.writeFileSync(bundleOut, JSON.stringify(bundleToJSON(bundle)));

  const start = new Date(clock.getTime() - 3600 * 1000).toISOString();
  const spki = (k) => k.export({ type: 'spki', format: 'der' });
  const sha256 = (b) => crypto.createHash('sha256').update(b).digest('base64');
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{
      baseUrl: REKOR,
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: spki(tlogKeys.publicKey).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start } },
      logId: { keyId: sha256(spki(tlogKeys.publicKey)) },
    }],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: FULCIO,
      certChain: { certificates: [{ rawBytes: Buffer.from(ca.rootCertificate.buffer, ca.rootCertificate.byteOffset,
        ca.rootCertificate.byteLength).toString('base64') }] },
      validFor: { start },
    }],
    ctlogs: [{
      baseUrl: 'https://ctfe.sigstore.mock',
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: spki(ctKeys.publicKey).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start } },
      logId: { keyId: Buffer.from(ctlog.logID.buffer, ctlog.logID.byteOffset, ctlog.logID.byteLength).toString('base64') },
    }],
    timestampAuthorities: [],
  };
  fs.writeFileSync(rootOut, JSON.stringify(trustedRoot, null, 2));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
