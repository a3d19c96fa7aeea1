/** The structured logger the server gives the alert layer (pino's, or fastify's app.log). */
export interface AlertLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
