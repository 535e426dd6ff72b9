// Headless Chromium against wsframe's chat_server (server role, a real browser),
// or against any server of the same page and room at the URL given
// (ci/interop.sh also points it at examples/axum_chat).
//
//   node browser.js http://127.0.0.1:PORT SCREENSHOT.png
//   node browser.js https://localhost:PORT SCREENSHOT.png SPKI-SHA256-BASE64
//
// With an https:// base, the server's key is trusted by its SPKI hash
// (Chromium's --ignore-certificate-errors-spki-list: only that key, not any
// certificate), the page must be on https: with its socket on wss:, and a
// second browser without the flag must refuse the certificate.
//
// Drives /usr/bin/chromium (Debian's package) through playwright-core with a
// fresh profile: two pages open the chat, a message typed into one page's
// input and sent with its button appears in the other, a 1 MiB + 1 message
// is refused with close 1009 (the page shows it), the page reconnects and
// chat goes on (screenshot here), and an exactly 1 MiB message passes. The handshake is read
// over the DevTools protocol: Chromium offers permessage-deflate and the
// server agrees it (the 101, `ws.extensions`, the page's own status text).
// A 4 KiB JSON-like message from one page arrives intact in the other:
// Chromium compresses what it sends, chat_server compresses its broadcast,
// Chromium inflates it (that RSV1 went both ways is counted by the capture
// proxy in ci/interop.sh, since neither the page nor CDP shows RSV1).
// Prints `ok` / `FAIL` per step; exit 1 on any failure. Every wait is
// bounded; the whole run is cut at 150 s.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const base = (process.argv[2] || "http://127.0.0.1:8080").replace(/\/$/, "");
const screenshot = process.argv[3] || "chat.png";
const spki = process.argv[4];
const MIB = 1 << 20;
const WAIT = 15000;
const JSON_LEN = 4096; // bytes of each JSON-like message
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TRUST = spki ? [`--ignore-certificate-errors-spki-list=${spki}`] : [];

const deadline = setTimeout(() => {
  console.log("FAIL browser run: over 150 s");
  process.exit(1);
}, 150000);

let failed = 0;
async function step(name, body) {
  try {
    console.log(`ok   ${name}: ${await body()}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
  }
}

// Records each WebSocket handshake of a page as the browser saw it.
async function watchHandshakes(context, page) {
  const seen = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const byId = new Map();
  cdp.on("Network.webSocketWillSendHandshakeRequest", (e) => {
    const entry = { request: e.request.headers, response: null };
    byId.set(e.requestId, entry);
    seen.push(entry);
  });
  cdp.on("Network.webSocketHandshakeResponseReceived", (e) => {
    const entry = byId.get(e.requestId);
    if (entry) entry.response = { status: e.response.status, headers: e.response.headers };
  });
  return seen;
}

function header(headers, name) {
  const key = Object.keys(headers || {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

async function waitOpen(page) {
  await page.waitForFunction(() => document.getElementById("status").textContent === "open", null, {
    timeout: WAIT,
  });
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "wsframe-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: [...ARGS, ...TRUST],
      viewport: { width: 800, height: 500 },
      timeout: 60000,
    });
    const version = context.browser() ? context.browser().version() : "chromium";
    const one = context.pages()[0] || (await context.newPage());
    const two = await context.newPage();
    const shakesTwo = await watchHandshakes(context, two);

    await step("two pages open the chat", async () => {
      await one.goto(`${base}/`, { timeout: WAIT });
      await two.goto(`${base}/`, { timeout: WAIT });
      await waitOpen(one);
      await waitOpen(two);
      return `${version}: both pages show status "open"`;
    });

    if (base.startsWith("https:")) {
      await step("the page is on https: and its socket on wss:", async () => {
        const where = await two.evaluate(() => ({ page: location.protocol, socket: ws.url }));
        if (where.page !== "https:") throw new Error(`page on ${where.page}`);
        if (!where.socket.startsWith("wss://")) throw new Error(`socket on ${where.socket}`);
        return `location.protocol ${where.page}, ws.url ${where.socket}`;
      });
    }

    await step("Chromium offers permessage-deflate, the server agrees", async () => {
      const shake = shakesTwo[0];
      if (!shake || !shake.response) throw new Error("no handshake seen over CDP");
      const offered = header(shake.request, "Sec-WebSocket-Extensions") || "";
      const answered = header(shake.response.headers, "Sec-WebSocket-Extensions") || "";
      if (!offered.includes("permessage-deflate")) throw new Error(`offered ${JSON.stringify(offered)}`);
      if (shake.response.status !== 101) throw new Error(`status ${shake.response.status}`);
      if (!answered.startsWith("permessage-deflate")) throw new Error(`server answered ${JSON.stringify(answered)}`);
      for (const page of [one, two]) {
        const ext = await page.evaluate(() => ws.extensions);
        if (!ext.startsWith("permessage-deflate")) throw new Error(`a page's ws.extensions is ${JSON.stringify(ext)}`);
      }
      const shown = await two.textContent("#extensions");
      if (!shown.includes("permessage-deflate")) throw new Error(`the page shows ${JSON.stringify(shown)}`);
      return `offered ${JSON.stringify(offered)}; 101 answered ${JSON.stringify(answered)}; ws.extensions in both pages and shown "${shown}"`;
    });

    await step("compressible messages both ways, intact", async () => {
      // JSON-like text: compressed by Chromium, inflated by chat_server,
      // broadcast compressed by chat_server, inflated by Chromium.
      const records = [];
      for (let i = 0; Buffer.byteLength(records.join(",")) < JSON_LEN; i++) {
        records.push(`{"id":${i},"user":"chromium-${i % 7}","text":"ünïcødé ✓ message ${i}","tags":["interop","deflate"],"ok":true}`);
      }
      // Exactly JSON_LEN bytes each (spaces before the closing bracket), a
      // size the capture in ci/interop.sh looks for in both directions.
      const exact = (body) => `[${body}${" ".repeat(JSON_LEN - 2 - Buffer.byteLength(body))}]`;
      const sent = [exact(records.slice(0, -1).join(",")), exact(records.slice(0, -1).reverse().join(","))];
      for (const [from, to] of [[one, two], [two, one]]) {
        const text = sent[from === one ? 0 : 1];
        await from.evaluate((t) => window.chatSend(t), text);
        await to.waitForFunction(
          (t) => [...document.querySelectorAll("#log li")].some((li) => li.textContent === t),
          text,
          { timeout: WAIT },
        );
      }
      return `${sent.map((t) => Buffer.byteLength(t)).join(" and ")} bytes of JSON, page one to two and two to one, shown byte-exact`;
    });

    const typed = `hello from page one ${Date.now()} ✓ ünïcødé`;
    await step("typed message appears in the other page", async () => {
      await one.fill("#input", typed);
      await one.click("#send");
      await two.locator("#log li", { hasText: typed }).first().waitFor({ timeout: WAIT });
      const left = await one.inputValue("#input");
      if (left !== "") throw new Error(`input not cleared: ${JSON.stringify(left)}`);
      return `${JSON.stringify(typed)} typed + Send clicked in page one, shown in page two`;
    });

    await step("1 MiB + 1 from the page is refused with 1009", async () => {
      await two.evaluate((n) => window.chatSend("z".repeat(n)), MIB + 1);
      await two.waitForFunction(() => window.lastClose && window.lastClose.code === 1009, null, { timeout: WAIT });
      const last = await two.evaluate(() => window.lastClose);
      const shown = two.locator("#log li.error", { hasText: "close code 1009" });
      await shown.first().waitFor({ timeout: WAIT });
      return `window.lastClose ${JSON.stringify(last)}; the page says "${await shown.first().textContent()}"`;
    });

    await step("the refused page reconnects and chats on", async () => {
      await waitOpen(two);
      const after = `after the refusal ${Date.now()}`;
      await one.fill("#input", after);
      await one.press("#input", "Enter");
      await two.locator("#log li", { hasText: after }).first().waitFor({ timeout: WAIT });
      const ext = await two.evaluate(() => ws.extensions);
      if (!ext.startsWith("permessage-deflate")) throw new Error(`after reconnecting ws.extensions is ${JSON.stringify(ext)}`);
      return `page two reopened (${shakesTwo.length} handshakes, ${ext}) and received ${JSON.stringify(after)}`;
    });

    await step("screenshot", async () => {
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await two.screenshot({ path: screenshot });
      return screenshot;
    });
    await step("exactly 1 MiB from the page passes", async () => {
      await one.evaluate((n) => window.chatSend("y".repeat(n)), MIB);
      await two.waitForFunction(
        (n) => [...document.querySelectorAll("#log li")].some((li) => li.textContent.length === n && li.textContent[0] === "y"),
        MIB,
        { timeout: WAIT },
      );
      return "1,048,576 bytes sent by page one, received whole by page two";
    });
  } catch (e) {
    failed++;
    console.log(`FAIL browser: ${e.message.split("\n")[0]}`);
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (spki) {
    await step("without the SPKI flag the certificate is refused", async () => {
      const bare = fs.mkdtempSync(path.join(os.tmpdir(), "wsframe-chromium-"));
      let untrusting;
      try {
        untrusting = await chromium.launchPersistentContext(bare, {
          executablePath: "/usr/bin/chromium",
          headless: true,
          args: ARGS,
          timeout: 60000,
        });
        const page = untrusting.pages()[0] || (await untrusting.newPage());
        const loaded = await page.goto(`${base}/`, { timeout: WAIT }).then(
          () => null,
          (e) => e.message.split("\n")[0],
        );
        if (loaded === null) throw new Error("the page loaded without trusting the certificate");
        if (!/ERR_CERT/.test(loaded)) throw new Error(`failed otherwise: ${loaded}`);
        return loaded;
      } finally {
        if (untrusting) await untrusting.close().catch(() => {});
        fs.rmSync(bare, { recursive: true, force: true });
      }
    });
  }
  console.log(`browser: ${failed ? "FAIL" : "all steps passed"}`);
  clearTimeout(deadline);
  process.exit(failed ? 1 : 0);
})();
