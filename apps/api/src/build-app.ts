import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { SluiceError } from '@sluice/core';
import { failure } from './oxen-envelope.js';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppServices } from './app-services.js';
import { oxenProtocol } from './plugins/oxen-protocol.js';
import { jsonText, multipartOnly } from './plugins/json-text.js';
import { bearerAuth } from './auth/bearer-auth.js';
import { rateLimits } from './plugins/rate-limits.js';
import { httpMetrics } from './plugins/http-metrics.js';
import { openApi } from './openapi/openapi.js';
import { metaRoutes } from './routes/meta-routes.js';
import { repoRoutes } from './routes/repo-routes.js';
import { workspaceRoutes } from './routes/workspace-routes.js';
import { uploadRoute } from './routes/upload-route.js';
import { jobRoutes } from './routes/job-routes.js';
import { changesRoutes } from './routes/changes-routes.js';
import { stagedFileRoutes } from './routes/staged-file-routes.js';
import { branchRoutes } from './routes/branch-routes.js';
import { commitRoutes } from './routes/commit-routes.js';
import { workspaceCommitRoutes } from './routes/workspace-commit-routes.js';
import { stageEditRoutes } from './routes/stage-edit-routes.js';
import { revisionRoutes } from './routes/revision-routes.js';
import { versionsRoutes } from './routes/versions-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { stageHashesRoute } from './routes/stage-hashes-route.js';

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
  const sluiceError = new SluiceError('bad_request', tooLarge ? 'request headers exceed SLUICE_MAX_HEADER_BYTES' : `malformed HTTP request (${error.code ?? 'parse error'})`);
  const body = JSON.stringify(failure(sluiceError));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function requestId(request: IncomingMessage): string {
  const given = request.headers['x-oxen-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 128 ? given : randomUUID();
}

/** The Fastify front door, apart from main.ts so tests and embedders can build it with their services. */
export async function buildApp(services: AppServices, logger?: FastifyBaseLogger): Promise<FastifyInstance> {
  const { limits } = services.config;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    genReqId: requestId,
    // Staged paths ride in URL parameters; upstream allows long ones.
    routerOptions: { maxParamLength: 4096 },
    bodyLimit: 2 * 1024 * 1024,
    clientErrorHandler: answerClientError,
    serverFactory: (handler: RequestListener) => {
      const server = createServer({ maxHeaderSize: limits.maxHeaderBytes }, handler);
      // A large upload may take a while; idle clients are cut by the headers timeout instead.
      server.requestTimeout = 3600_000;
      server.headersTimeout = 60_000;
      server.keepAliveTimeout = 75_000; // upstream's keep-alive
      return server;
    },
  });
  // first: it must see every route registered after it
  await openApi(app);
  oxenProtocol(app);
  httpMetrics(app, services);
  jsonText(app);
  await rateLimits(app, services);
  bearerAuth(app, services.tokens);
  await app.register(multipart, {
    preservePath: true,
    limits: { parts: limits.maxParts, files: limits.maxParts, fileSize: limits.maxRequestBytes + 1 /* the spool's own count names SLUICE_MAX_REQUEST_BYTES first */, headerPairs: 200, fields: 1000, fieldSize: 1024 * 1024 },
  });
  metaRoutes(app, services);
  repoRoutes(app, services);
  workspaceRoutes(app, services);
  await multipartOnly(app, (scope) => uploadRoute(scope, services));
  jobRoutes(app, services);
  changesRoutes(app, services);
  stagedFileRoutes(app, services);
  branchRoutes(app, services);
  commitRoutes(app, services);
  workspaceCommitRoutes(app, services);
  stageEditRoutes(app, services);
  revisionRoutes(app, services);
  await versionsRoutes(app, services);
  stageHashesRoute(app, services);
  await dashboardRoutes(app, services);
  return app;
}
