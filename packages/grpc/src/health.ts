/**
 * The standard grpc.health.v1 service (Check and Watch), so load balancers, Kubernetes
 * (`grpc_health_probe`) and grpcurl can ask whether the push API is up. Health needs no token:
 * probes carry none and it reveals nothing but up/down.
 */
import { status as grpcStatus, type handleServerStreamingCall, type handleUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { statusDetails } from './errors.js';
import { FIRETOWER_SERVICE } from './proto.js';
import { LatestValueWriter } from './watch.js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthRequest {
  service: string;
}
interface HealthReply {
  status: ServingStatus;
}

export class HealthService {
  /** '' is the whole server, as the protocol defines. */
  private readonly statuses = new Map<string, ServingStatus>([
    ['', 'SERVING'],
    [FIRETOWER_SERVICE, 'SERVING'],
  ]);
  private readonly watchers = new Set<{ service: string; writer: LatestValueWriter<HealthReply> }>();

  setStatus(status: Exclude<ServingStatus, 'SERVICE_UNKNOWN' | 'UNKNOWN'>): void {
    for (const service of this.statuses.keys()) this.statuses.set(service, status);
    for (const watcher of this.watchers) watcher.writer.offer({ status: this.statusOf(watcher.service) });
  }

  /** Ends every Watch stream (after a last NOT_SERVING was offered by setStatus). */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.writer.end();
    this.watchers.clear();
  }

  implementation(): UntypedServiceImplementation {
    const check: handleUnaryCall<HealthRequest, HealthReply> = (call, callback) => {
      const status = this.statuses.get(call.request.service);
      if (status === undefined)
        callback({ code: grpcStatus.NOT_FOUND, details: statusDetails(`unknown service ${JSON.stringify(call.request.service.slice(0, 100))}`) });
      else callback(null, { status });
    };
    const watch: handleServerStreamingCall<HealthRequest, HealthReply> = (call) => {
      const watcher = { service: call.request.service, writer: new LatestValueWriter<HealthReply>(call) };
      this.watchers.add(watcher);
      call.on('cancelled', () => {
        this.watchers.delete(watcher);
        watcher.writer.end();
      });
      watcher.writer.offer({ status: this.statusOf(watcher.service) });
    };
    return { Check: check, Watch: watch };
  }

  private statusOf(service: string): ServingStatus {
    return this.statuses.get(service) ?? 'SERVICE_UNKNOWN';
  }
}
