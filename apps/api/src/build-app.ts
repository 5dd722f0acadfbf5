import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SluiceError } from '@sluice/core';
import { failure, oxenVersion } from './oxen-envelope.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppServices } from './app-services.js';
import { oxenProtocol } from './plugins/oxen-protocol.js';
import { StorageHealth } from './storage-health.js';
import { jsonText } from './plugins/json-text.js';
import { bearerAuth, identifyCaller } from './auth/bearer-auth.js';
import { originGuard } from './origin-guard.js';
import { uploadAdmission } from './plugins/upload-admission.js';
import { streamAdmission } from './plugins/stream-admission.js';
import { rateLimits } from './plugins/rate-limits.js';
import { repoScope } from './plugins/repo-scope.js';
import { httpMetrics } from './plugins/http-metrics.js';
import { openApi } from './openapi/openapi.js';
import { routeContract } from './plugins/route-contract.js';
import { metaRoutes } from './routes/meta-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { repositoryRoutes } from './routes/repository-routes.js';

/**
 * Errors Node raises before any route runs (headers past SLUICE_MAX_HEADER_BYTES, malformed
 * HTTP) still get an Oxen envelope, written straight to the socket.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const sluiceError = new SluiceError(
    'bad_request',
    tooLarge
      ? 'request headers exceed SLUICE_MAX_HEADER_BYTES'
      : `malformed HTTP request (${error.code ?? 'parse error'})`,
  );
  const body = JSON.stringify(failure(sluiceError));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ` +
      `${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** An error answered outside any route, in the Oxen envelope, on a connection that then closes. */
function answerRaw(response: ServerResponse, status: number, error: SluiceError): void {
  const body = JSON.stringify(failure(error));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'oxen-version': oxenVersion,
    connection: 'close',
  });
  response.end(body);
}

function requestId(request: IncomingMessage): string {
  const given = request.headers['x-oxen-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 128 ? given : randomUUID();
}

export interface AppOptions {
  /** `one`: a line per request when it ends (for a person at a terminal), instead of Fastify's two detailed ones. */
  requestLines?: 'detailed' | 'one';
}

/** The Fastify front door, apart from main.ts so tests and embedders can build it with their services. */
export async function buildApp(
  services: AppServices,
  logger?: FastifyBaseLogger,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const { limits } = services.config;
  const oneLine = options.requestLines === 'one';
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    ...(oneLine ? { logController: new LogController({ disableRequestLogging: true }) } : {}),
    genReqId: requestId,
    // Staged paths ride in URL parameters; upstream allows long ones.
    routerOptions: { maxParamLength: 4096 },
    bodyLimit: 2 * 1024 * 1024,
    clientErrorHandler: answerClientError,
    // The router's own refusals (a URL that does not decode, a parameter past its length) in the envelope.
    frameworkErrors: (error, _request, reply) => {
      const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'name_too_long' : 'bad_request';
      void (reply as FastifyReply).status(400).send(failure(new SluiceError(code, `${error.message} (${error.code})`)));
    },
    serverFactory: (handler: RequestListener) => {
      // HTTP/1.1 without Host is refused below, in the envelope, instead of by Node with an empty body.
      const server = createServer(
        { maxHeaderSize: limits.maxHeaderBytes, requireHostHeader: false },
        (request, response) => {
          if (request.headers.host === undefined && request.httpVersionMajor === 1 && request.httpVersionMinor >= 1) {
            answerRaw(response, 400, new SluiceError('bad_request', 'an HTTP/1.1 request needs a Host header'));
            return;
          }
          handler(request, response);
        },
      );
      // Only `Expect: 100-continue` means anything here; Node would answer any other with a bare 417.
      server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
        answerRaw(
          response,
          417,
          new SluiceError(
            'expectation_failed',
            `unsupported Expect: ${request.headers.expect ?? ''}; only 100-continue is understood`,
          ),
        );
      });
      // A large upload may take a while; idle clients are cut by the headers timeout instead.
      server.requestTimeout = 3600_000;
      server.headersTimeout = 60_000;
      server.keepAliveTimeout = 75_000; // upstream's keep-alive
      return server;
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (oneLine) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(`${request.method} ${request.url} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`);
    });
  }
  // first: it must see every route registered after it
  await openApi(app);
  routeContract(app, { checkAnswers: services.config.checkAnswers });
  const storage = new StorageHealth();
  oxenProtocol(app, storage);
  // before any route they guard (their hooks attach to routes registered after them)
  originGuard(app, services.config);
  identifyCaller(app, services.tokens);
  await rateLimits(app, services);
  bearerAuth(app, services.tokens);
  // what the repository and workspace prefixes find for their routes (routes/repository-routes.ts)
  repoScope(app);
  uploadAdmission(app, {
    maxUploads: services.config.maxUploadsInFlight,
    maxBytes: services.config.maxSpoolBytesInFlight,
    maxPerCaller: services.config.maxUploadsPerCaller,
    bodyRate: {
      minBytesPerSecond: services.config.uploadMinBytesPerSecond,
      windowSeconds: services.config.uploadRateWindowSeconds,
    },
  });
  streamAdmission(app, {
    maxStreams: services.config.maxStreamsInFlight,
    maxPerCaller: services.config.maxStreamsPerCaller,
    stallSeconds: services.config.streamStallSeconds,
  });
  httpMetrics(app, services);
  jsonText(app);
  await app.register(multipart, {
    preservePath: true,
    limits: {
      parts: limits.maxParts,
      files: limits.maxParts,
      fileSize: limits.maxRequestBytes + 1 /* the spool's own count names SLUICE_MAX_REQUEST_BYTES first */,
      headerPairs: 200,
      fields: 1000,
      fieldSize: 1024 * 1024,
    },
  });
  metaRoutes(app, services, storage);
  jobRoutes(app, services);
  await repositoryRoutes(app, services);
  await dashboardRoutes(app, services);
  return app;
}
