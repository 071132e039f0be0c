// swagger-client ships no type declarations; this is the part of its API the connector tests use.
declare module 'swagger-client' {
  export interface SwaggerResponse {
    url: string;
    status: number;
    ok: boolean;
    headers: Record<string, string>;
    text: string;
    body: unknown;
  }
  export interface ExecuteOptions {
    operationId: string;
    parameters?: Record<string, unknown>;
  }
  export interface SwaggerClientInstance {
    spec: Record<string, unknown>;
    execute(options: ExecuteOptions): Promise<SwaggerResponse>;
  }
  type SwaggerClientFactory = (options: { spec: object; authorizations?: Record<string, unknown> }) => Promise<SwaggerClientInstance>;
  const SwaggerClient: SwaggerClientFactory;
  export default SwaggerClient;
}
