/**
 * Gateway faults and how the client's recovery is read from the gateway's events:
 *
 * - `gateway_drop`: the TCP connection is cut with no close frame (or closed with `code`);
 * - `zombie`: the connection goes silent both ways (no ACK, no dispatch, no close handshake)
 *   and is cut `severAfterMs` later, as a dead network path eventually is;
 * - `reconnect`: op 7, then a close 5 s later if the client has not reconnected;
 * - `invalid_session`: op 9 with `d` = `resumable` (false invalidates the session);
 * - `token_revoked`: the token stops working (REST 401, gateway 4004) for `durationMs`.
 *
 * A record then tells, within a minute: the client's closes and new connections, RESUME (and
 * how many missed dispatches were replayed) or IDENTIFY, and any socket competing with another
 * for one session.
 *
 * @module
 */
import type { FaultDeps, FaultHandle, FaultKind } from "./faults.ts";
import type { GatewayConnection } from "./gateway.ts";

/** The gateway fault kinds. */
export const GATEWAY_KINDS: FaultKind[] = [
  "gateway_drop",
  "zombie",
  "reconnect",
  "invalid_session",
  "token_revoked",
];

/** How long after a gateway fault the client's actions are still attributed to it. */
export const OBSERVE_MS = 60_000;

interface Watch {
  sessions: Set<string>;
  connections: Set<number>;
  until: number;
}

const watches = new WeakMap<FaultHandle, Watch>();

function watchOf(handle: FaultHandle): Watch {
  let watch = watches.get(handle);
  if (!watch) {
    watch = {
      sessions: new Set(),
      connections: new Set(),
      until: handle.record.startedAt + OBSERVE_MS,
    };
    watches.set(handle, watch);
  }
  return watch;
}

const label = (c: GatewayConnection) => `connection #${c.id} of session ${c.session?.id ?? "?"}`;

/** Applies a gateway fault to its target connections. */
export function applyGatewayFault(deps: FaultDeps, handle: FaultHandle): void {
  const { gateway, world } = deps;
  const input = handle.input;
  const watch = watchOf(handle);
  const targets = gateway.connectionsOf(input.sessionId);
  for (const c of targets) {
    if (c.session) watch.sessions.add(c.session.id);
    watch.connections.add(c.id);
  }
  switch (input.kind) {
    case "gateway_drop":
      for (const c of targets) {
        if (input.code !== undefined) {
          handle.note(`closed ${label(c)} with code ${input.code}`);
          gateway.closeConnection(c, input.code, "Connection dropped by the sandbox.");
        } else if (c.link) {
          handle.note(`cut the TCP connection of ${label(c)} (no close frame)`);
          c.link.sever();
        } else {
          handle.note(`${label(c)} is not relayed: closed it with code 4000 instead of cutting it`);
          gateway.closeConnection(c, 4000, "Unknown error.");
        }
      }
      handle.end();
      return;
    case "zombie": {
      const severAfter = input.severAfterMs ?? deps.heartbeatIntervalMs * 3;
      let open = targets.length;
      for (const c of targets) {
        c.zombie = true;
        if (c.link) {
          c.link.blackhole();
          handle.note(
            `${label(c)} went silent both ways (no heartbeat ACK, no dispatch, no close ` +
              `handshake); its TCP connection will be cut after ${severAfter} ms`,
          );
          handle.later(severAfter, () => {
            if (!c.link?.severed) handle.note(`cut the zombie TCP connection #${c.id}`);
            c.link?.sever();
            if (--open === 0) handle.end();
          });
        } else {
          handle.note(
            `${label(c)} stopped acknowledging heartbeats and sending dispatches (not relayed: ` +
              `close frames are still answered)`,
          );
          open--;
        }
      }
      return;
    }
    case "reconnect": {
      const closeAfter = input.closeAfterMs ?? 5000;
      for (const c of targets) {
        gateway.send(c, { op: 7, d: null, s: null, t: null });
        handle.note(`sent RECONNECT (op 7) on ${label(c)}`);
        handle.later(closeAfter, () => {
          if (c.ended) return;
          handle.note(`${label(c)} was still open ${closeAfter} ms after op 7: closed it (4000)`);
          gateway.closeConnection(c, 4000, "Unknown error.");
        });
      }
      handle.end();
      return;
    }
    case "invalid_session": {
      const resumable = input.resumable === true;
      for (const c of targets) {
        gateway.send(c, { op: 9, d: resumable, s: null, t: null });
        handle.note(`sent INVALID_SESSION (op 9, d: ${resumable}) on ${label(c)}`);
        if (!resumable && c.session) {
          deps.sessions.invalidate(c.session);
          c.session = null;
        }
      }
      handle.end();
      return;
    }
    case "token_revoked": {
      world.settings.tokenValid = false;
      handle.note("revoked the bot token: REST answers 401, IDENTIFY and RESUME close with 4004");
      for (const c of targets) {
        handle.note(`closed ${label(c)} with 4004`);
        gateway.closeConnection(c, 4004, "Authentication failed.");
      }
      watch.until = Math.max(watch.until, handle.record.endsAt ?? 0);
      handle.onEnd(() => {
        world.settings.tokenValid = true;
        handle.note("the token is valid again");
        const attempts = handle.record.counts.connections ?? 0;
        handle.outcome(attempts > 0 ? `reconnected ${attempts} time(s) after 4004` : "stopped");
      });
      return;
    }
  }
}

/** Attributes gateway events to the gateway faults they follow. */
export function observeGateway(deps: FaultDeps, handles: () => FaultHandle[]): void {
  deps.gateway.onEvent((event) => {
    for (const handle of handles()) {
      if (!GATEWAY_KINDS.includes(handle.record.kind)) continue;
      const watch = watchOf(handle);
      if (event.at < handle.record.startedAt || event.at > watch.until) continue;
      const ours = watch.connections.has(event.connection) ||
        (event.session !== undefined && watch.sessions.has(event.session));
      switch (event.type) {
        case "open":
          handle.count("connections");
          handle.react(`client opened connection #${event.connection}`);
          break;
        case "client_close":
          if (!ours) break;
          handle.react(`client closed connection #${event.connection} with code ${event.code}`);
          if (handle.record.kind === "zombie") handle.end();
          break;
        case "server_close":
          if (!ours) break;
          handle.react(
            `sandbox closed connection #${event.connection} with ${event.code} (${event.reason})`,
          );
          break;
        case "resume":
          if (!ours) break;
          handle.count("resumes");
          handle.react(
            `RESUME of session ${event.session} from seq ${event.fromSeq} on connection ` +
              `#${event.connection}: replayed ${event.replayed} missed dispatch(es)`,
          );
          watch.connections.add(event.connection);
          handle.outcome("resumed");
          break;
        case "resume_refused":
          if (!ours) break;
          handle.react(`RESUME refused with INVALID_SESSION (${event.reason})`);
          break;
        case "identify":
          handle.count("identifies");
          handle.react(`IDENTIFY on connection #${event.connection}: new session ${event.session}`);
          if (event.session) watch.sessions.add(event.session);
          watch.connections.add(event.connection);
          handle.outcome("re-identified");
          break;
        case "competing":
          handle.count("competing");
          handle.react(
            `competing sockets: connection #${event.connection} authenticated session ` +
              `${event.session} while ${event.sockets - 1} other live socket(s) held it and ` +
              `${event.sessions} session(s) were live on its shard`,
          );
          handle.outcome("competing sockets", true);
          break;
      }
    }
  });
}
