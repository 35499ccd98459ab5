/**
 * The sandbox's read-only web view (`GET /_sandbox/view`): a channel's messages drawn the
 * way Discord draws them (embeds with their colour bar and fields, buttons in their rows and
 * styles, "only you can see this" replies), the recent interactions and failures, faults,
 * players and limits. Server-rendered HTML that refreshes itself; every value from the world
 * is escaped.
 *
 * @module
 */
import type { FaultRecord } from "./faults.ts";
import type { PlayerStats } from "./players.ts";
import type { RestWatchState } from "./rest_watch.ts";
import type { ChannelRecord } from "./seed.ts";
import type {
  DiscordUser,
  InteractionRecord,
  SandboxMessage,
  SandboxSessionInfo,
} from "./types.ts";

/** Everything the page shows. */
export interface ViewModel {
  now: number;
  guildName: string;
  channels: ChannelRecord[];
  channel: ChannelRecord | undefined;
  messages: SandboxMessage[];
  user: (id: string) => DiscordUser | undefined;
  interactions: InteractionRecord[];
  faults: FaultRecord[];
  players: PlayerStats;
  sessions: SandboxSessionInfo[];
  rest: RestWatchState;
  /** Seconds between refreshes; 0: none. */
  refresh: number;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const displayName = (user: DiscordUser | undefined) =>
  user ? user.global_name || user.username : "unknown user";

function relative(now: number, seconds: number): string {
  const diff = Math.round(seconds - now / 1000);
  return diff >= 0 ? `in ${diff} s` : `${-diff} s ago`;
}

/** Escapes, then draws Discord's markdown that Blitz uses: bold, user mentions, relative times. */
function markdown(model: ViewModel, text: unknown): string {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(
      /&lt;@!?(\d+)&gt;/g,
      (_m, id) => `<span class="mention">@${escapeHtml(displayName(model.user(id)))}</span>`,
    )
    .replace(
      /&lt;t:(\d+):R&gt;/g,
      (_m, s) => `<span class="time">${relative(model.now, Number(s))}</span>`,
    )
    .replace(/\n/g, "<br>");
}

function embedHtml(model: ViewModel, embed: Json): string {
  const color = typeof embed.color === "number"
    ? `#${embed.color.toString(16).padStart(6, "0")}`
    : "#1e1f22";
  const fields = (Array.isArray(embed.fields) ? embed.fields : []).map((f: Json) =>
    `<div class="field${f.inline ? " inline" : ""}"><div class="field-name">${
      markdown(model, f.name)
    }</div>` +
    `<div class="field-value">${markdown(model, f.value)}</div></div>`
  ).join("");
  return `<div class="embed" style="border-left-color:${escapeHtml(color)}">` +
    (embed.title ? `<div class="embed-title">${markdown(model, embed.title)}</div>` : "") +
    (embed.description
      ? `<div class="embed-desc">${markdown(model, embed.description)}</div>`
      : "") +
    (fields ? `<div class="fields">${fields}</div>` : "") +
    (embed.footer?.text
      ? `<div class="embed-footer">${markdown(model, embed.footer.text)}</div>`
      : "") +
    `</div>`;
}

function componentsHtml(components: unknown): string {
  if (!Array.isArray(components) || components.length === 0) return "";
  const rows = components.map((row: Json) => {
    const children = (Array.isArray(row?.components) ? row.components : []).map((c: Json) => {
      if (c?.type === 2) {
        const style = [1, 2, 3, 4, 5, 6].includes(c.style) ? c.style : 2;
        const label = c.label ?? (c.emoji?.name ?? "");
        return `<span class="button style-${style}${c.disabled ? " disabled" : ""}" ` +
          `data-custom-id="${escapeHtml(c.custom_id ?? c.url ?? "")}">${escapeHtml(label)}` +
          `${style === 5 ? " ↗" : ""}</span>`;
      }
      return `<span class="select">${escapeHtml(c?.placeholder ?? "Make a selection")} ▾</span>`;
    }).join("");
    return `<div class="row">${children}</div>`;
  }).join("");
  return `<div class="components">${rows}</div>`;
}

function messageHtml(model: ViewModel, message: SandboxMessage): string {
  const author = displayName(message.author);
  const time = message.timestamp.slice(11, 19);
  const used = message.interaction_metadata?.user as DiscordUser | undefined;
  // The legacy `interaction` object names the subcommand too ("blitz play").
  const command = message.interaction?.name ?? message.interaction_metadata?.name;
  const header = used
    ? `<div class="reply">↳ ${escapeHtml(displayName(used))} used ${
      command ? `<strong>/${escapeHtml(command)}</strong>` : "a button"
    }</div>`
    : "";
  const ephemeral = message.ephemeral
    ? `<div class="ephemeral">👁 Only ${
      escapeHtml(displayName(model.user(message.visible_to ?? "")))
    } can see this</div>`
    : "";
  const loading = (message.flags & (1 << 7)) !== 0
    ? `<div class="content muted">${escapeHtml(author)} is thinking…</div>`
    : "";
  return `<article class="message${message.ephemeral ? " is-ephemeral" : ""}" id="m${
    escapeHtml(message.id)
  }">` +
    header +
    `<div class="avatar">${escapeHtml(author.slice(0, 1).toUpperCase())}</div>` +
    `<div class="body"><div class="meta"><span class="author">${escapeHtml(author)}</span>` +
    (message.author.bot ? `<span class="tag">APP</span>` : "") +
    `<span class="stamp">${escapeHtml(time)}${
      message.edited_timestamp ? " (edited)" : ""
    }</span></div>` +
    loading +
    (message.content ? `<div class="content">${markdown(model, message.content)}</div>` : "") +
    (Array.isArray(message.embeds) ? message.embeds.map((e) => embedHtml(model, e)).join("") : "") +
    componentsHtml(message.components) + ephemeral +
    `</div></article>`;
}

function interactionRow(model: ViewModel, record: InteractionRecord): string {
  const what = record.type === 2 ? `/${record.name ?? "?"}` : `click ${record.customId ?? "?"}`;
  const latency = record.latencyMs !== undefined ? `${record.latencyMs} ms` : "";
  return `<tr class="status-${escapeHtml(record.status)}"><td>${
    escapeHtml(displayName(model.user(record.userId)))
  }</td>` +
    `<td class="mono">${escapeHtml(what)}</td><td>${escapeHtml(record.status)}</td><td>${
      escapeHtml(latency)
    }</td></tr>`;
}

function faultRow(fault: FaultRecord): string {
  return `<tr><td>#${escapeHtml(fault.id)} ${escapeHtml(fault.kind)}${
    fault.active ? " <em>(active)</em>" : ""
  }</td>` +
    `<td>${escapeHtml(fault.outcome ?? "—")}</td><td>${
      escapeHtml(fault.reactions.at(-1)?.what ?? fault.applied.at(-1) ?? "")
    }</td></tr>`;
}

/** The page. */
export function renderView(model: ViewModel): string {
  const failed = model.interactions.filter((r) => r.status === "failed");
  const channelLinks = model.channels.filter((c) => c.type === 0).map((c) =>
    `<a class="channel${c.id === model.channel?.id ? " current" : ""}" href="?channel=${
      encodeURIComponent(c.id)
    }` +
    `${model.refresh !== 2 ? `&amp;refresh=${model.refresh}` : ""}"># ${escapeHtml(c.name)}</a>`
  ).join("");
  const p = model.players;
  const connected = model.sessions.filter((s) => s.connected).length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
${model.refresh > 0 ? `<meta http-equiv="refresh" content="${model.refresh}">` : ""}
<title>Blitz sandbox — #${escapeHtml(model.channel?.name ?? "")}</title>
<style>${STYLE}</style></head>
<body><header><strong>${escapeHtml(model.guildName)}</strong> · local Discord sandbox · gateway:
<span class="${connected ? "ok" : "bad"}">${connected} session(s) connected</span>
· 429s sent ${model.rest.rateLimited} · early retries ${model.rest.earlyRequests}</header>
<main><nav><div class="nav-title">TEXT CHANNELS</div>${channelLinks}</nav>
<section class="chat"><h1># ${escapeHtml(model.channel?.name ?? "no channel")}</h1>
${
    model.messages.map((m) => messageHtml(model, m)).join("\n") ||
    `<p class="muted">No messages yet.</p>`
  }
</section>
<aside><h2>Recent interactions</h2><table>${
    model.interactions.map((r) => interactionRow(model, r)).join("") || "<tr><td>none yet</td></tr>"
  }</table>
<h2>Failures (${failed.length})</h2><table>${
    failed.map((r) => interactionRow(model, r)).join("") || "<tr><td>none</td></tr>"
  }</table>
<h2>Faults</h2><table>${model.faults.map(faultRow).join("") || "<tr><td>none</td></tr>"}</table>
<h2>Players</h2><p>${
    p.running ? "running" : "stopped"
  } · ${p.players} players · games ${p.gamesStarted} started,
${p.gamesFinished} finished · ${p.clicks} clicks · ${p.commands} commands · ${p.failures} failed</p>
<h2>Limits</h2><p>invalid requests: ${
    model.rest.invalidRequests.map((c) =>
      `${escapeHtml(c.ip)} ${c.count}${c.bannedUntil ? " (banned)" : ""}`
    ).join(", ") || "0"
  }</p>
</aside></main></body></html>
`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.4 "gg sans","Noto Sans",Helvetica,Arial,sans-serif;background:#313338;color:#dbdee1}
header{padding:8px 16px;background:#1e1f22;font-size:13px}.ok{color:#23a55a}.bad{color:#f23f43}
main{display:grid;grid-template-columns:180px 1fr 330px;height:calc(100vh - 36px)}
nav{background:#2b2d31;padding:12px 8px}.nav-title{font-size:11px;font-weight:700;color:#949ba4;margin:8px}
.channel{display:block;padding:5px 8px;border-radius:4px;color:#949ba4;text-decoration:none}.channel.current{background:#404249;color:#fff}
.chat{overflow-y:auto;padding:0 16px 16px}.chat h1{font-size:16px;border-bottom:1px solid #26272b;padding:12px 0;margin:0 0 8px}
.message{display:grid;grid-template-columns:48px 1fr;padding:6px 0}.message.is-ephemeral{background:#2e3035}
.reply{grid-column:1/3;font-size:12px;color:#949ba4;padding-left:48px}
.avatar{width:40px;height:40px;border-radius:50%;background:#5865f2;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700}
.meta .author{font-weight:600;color:#f2f3f5}.tag{background:#5865f2;color:#fff;font-size:10px;padding:1px 4px;border-radius:3px;margin-left:4px}
.stamp{font-size:12px;color:#949ba4;margin-left:8px}.content{margin:2px 0}.muted{color:#949ba4}
.mention{background:#3c4270;color:#c9cdfb;border-radius:3px;padding:0 2px}.time{background:#2b2d31;border-radius:3px;padding:0 2px}
.embed{background:#2b2d31;border-left:4px solid;border-radius:4px;padding:8px 12px;margin:4px 0;max-width:520px}
.embed-title{font-weight:700;color:#f2f3f5}.embed-desc{margin:4px 0}.field{margin-top:6px}.field-name{font-weight:700;font-size:13px}
.field-value{font-size:14px}.embed-footer{font-size:12px;color:#949ba4;margin-top:8px}
.row{display:flex;gap:8px;margin-top:6px}.button{padding:4px 14px;border-radius:3px;color:#fff;font-size:14px;font-weight:500}
.style-1{background:#5865f2}.style-2{background:#4e5058}.style-3{background:#248046}.style-4{background:#da373c}.style-5,.style-6{background:#4e5058}
.disabled{opacity:.5}.select{background:#1e1f22;border-radius:3px;padding:6px 10px}
.ephemeral{font-size:12px;color:#949ba4;margin-top:4px}
aside{background:#2b2d31;overflow-y:auto;padding:8px 12px;font-size:12px}aside h2{font-size:12px;color:#949ba4;text-transform:uppercase;margin:12px 0 4px}
table{width:100%;border-collapse:collapse}td{padding:2px 4px;border-bottom:1px solid #3f4147;vertical-align:top}
.mono{font-family:ui-monospace,Menlo,monospace;font-size:11px;word-break:break-all}.status-failed td{color:#f23f43}.status-pending td{color:#f0b232}
`;
