export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'GET' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
}

/** Outbound HTTP. Implementations never follow redirects: a 3xx is returned as it is. */
export interface HttpClient {
  request(req: OutboundRequest): Promise<OutboundResponse>;
}
