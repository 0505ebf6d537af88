/**
 * Throwaway TLS material for tests, made with openssl in a temporary folder at test time (never committed): a CA,
 * a server certificate for `temporal.test` (and 127.0.0.1), a client certificate, and an unrelated key. P-256 keys
 * (quick to make); the private keys are unencrypted PKCS#8 PEM, as Temporal's clients need them.
 *
 * And a TLS-terminating proxy (as nginx or Envoy would be in front of a Temporal frontend): it requires a client
 * certificate signed by the CA, offers HTTP/2 (gRPC), and passes the bytes to a plaintext server.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A key that belongs to none of the certificates. */
  otherKey: string;
  serverName: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeTestPki(dir: string): Promise<TestPki> {
  const f = (name: string) => path.join(dir, name);
  const serverName = 'temporal.test';
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=jtai test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const issue = async (name: string, subject: string, extensions: string) => {
    await run('openssl', [
      'req',
      ...EC,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
      '-subj',
      subject,
    ]);
    await writeFile(f(`${name}.ext`), extensions);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    ]);
  };
  await issue(
    'server',
    `/CN=${serverName}`,
    `subjectAltName=DNS:${serverName},IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
  );
  await issue('client', '/CN=jtai worker', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  await run('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    f('other.key'),
  ]);
  return {
    caCert: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
    otherKey: f('other.key'),
    serverName,
  };
}

/** A TLS (mutual, HTTP/2) listener on 127.0.0.1 passing each connection on to `target` (`host:port`) in plaintext. */
export async function startTlsProxy(
  pki: TestPki,
  target: string,
): Promise<{ address: string; handshakes: () => number; close: () => Promise<void> }> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<Socket>();
  let handshakes = 0;
  const server: Server = createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (tlsSocket) => {
      handshakes++;
      const upstream = connect(port, host);
      sockets.add(tlsSocket).add(upstream);
      const drop = () => {
        tlsSocket.destroy();
        upstream.destroy();
        sockets.delete(tlsSocket);
        sockets.delete(upstream);
      };
      tlsSocket.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      tlsSocket.pipe(upstream).pipe(tlsSocket);
    },
  );
  server.on('tlsClientError', () => undefined); // a refused handshake (the test of a missing client certificate)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    handshakes: () => handshakes,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
