// The console in a real browser (headless Chromium driven by playwright-core): the dev requester,
// who holds no role, is refused and the page says why; the dev admin, who requested an apply with
// the CLI, tries to approve it and the page shows the gateway's SELF_APPROVAL refusal; signed in at
// the dev identity provider as the approver, find the CI job's waiting apply, read that the CI
// identity that requested it cannot approve, read its plan summary and the digest being approved,
// approve it, and watch its log until the run SUCCEEDED; the auditor finds the approval in the
// audit log, and the alerts, drift, sources and integrity pages render. Run by scripts/test-browser
// against a running `portcullis dev`; prints the approved run id and digest as `approved RUN DIGEST`.
//   node approve.mjs CONSOLE_URL SCREENSHOT_DIR EXPECTED_SUMMARY_LINE ADMIN_APPLY_RUN
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [consoleUrl, screenshots, expectedSummary, adminApply] = process.argv.slice(2);
if (!adminApply) throw new Error("usage: node approve.mjs CONSOLE_URL SCREENSHOT_DIR EXPECTED_SUMMARY_LINE ADMIN_APPLY_RUN");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
mkdirSync(screenshots, { recursive: true });

function fail(message) {
  throw new Error(message);
}

// the dev CA is not in the browser's store; the test trusts the dev console's certificate as a developer does
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const problems = [];
const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 412, height: 915 } });
const page = await context.newPage();

// a Content-Security-Policy violation or a script error is a failure of the page
function watch(watched) {
  watched.on("console", (message) => { if (message.type() === "error") problems.push(`${watched.url()}: ${message.text()}`); });
  watched.on("pageerror", (error) => problems.push(`${watched.url()}: ${error.message}`));
}

try {
  watch(page);

  // the dev requester holds no role: the gateway shows them no run to approve, and the page says why
  const requester = await context.browser().newContext({ ignoreHTTPSErrors: true });
  const refusedPage = await requester.newPage();
  await refusedPage.goto(`${consoleUrl}/runs?state=AWAITING_APPROVAL`);
  await refusedPage.locator("#user-requester").click();
  await refusedPage.waitForURL(`${consoleUrl}/runs?state=AWAITING_APPROVAL`, { timeout: 30000 });
  const refusal = await refusedPage.locator("[role=alert]").textContent();
  if (!refusal.includes("PERMISSION_DENIED")) fail(`the requester was not refused: ${refusal}`);
  await requester.close();

  // the dev admin requested ADMIN_APPLY (with the CLI and its certificate) and may approve runs: not their own,
  // and the page says so before they try and shows the gateway's refusal when they do
  const admin = await context.browser().newContext({ ignoreHTTPSErrors: true });
  const selfPage = await admin.newPage();
  await selfPage.goto(`${consoleUrl}/runs/${adminApply}`);
  await selfPage.locator("#user-admin").click();
  await selfPage.waitForURL(`${consoleUrl}/runs/${adminApply}`, { timeout: 30000 });
  const awaiting = Date.now() + 60000;
  while ((await selfPage.locator("section.decide").count()) === 0) {
    if (Date.now() > awaiting) fail(`the admin's apply does not await approval: ${await selfPage.locator("main").textContent()}`);
    await selfPage.waitForTimeout(1000);
    await selfPage.reload();
  }
  const selfWho = await selfPage.locator("#approve-who").textContent();
  if (!selfWho.includes("spiffe://portcullis.dev/human/admin") || !selfWho.includes("cannot approve")) {
    fail(`the admin's apply does not say its requester cannot approve it: ${selfWho}`);
  }
  await selfPage.getByRole("button", { name: "Approve this plan" }).click();
  await selfPage.waitForSelector("[role=alert]", { timeout: 30000 });
  const selfRefusal = await selfPage.locator("[role=alert]").textContent();
  if (!selfRefusal.includes("PERMISSION_DENIED (SELF_APPROVAL)") || !selfRefusal.includes("the requester of a run can never approve it")) {
    fail(`the admin's own approval was not refused with the reason: ${selfRefusal}`);
  }
  await selfPage.screenshot({ path: `${screenshots}/self-approval-refused.png`, fullPage: true });
  await admin.close();

  await page.goto(`${consoleUrl}/runs?state=AWAITING_APPROVAL`);
  await page.locator("#user-approver").click(); // the dev identity provider: pick who you are
  await page.waitForURL(`${consoleUrl}/runs?state=AWAITING_APPROVAL`, { timeout: 30000 });
  const who = await page.locator("nav .who").textContent();
  if (!who.includes("Dev approver")) fail(`not signed in as the approver: ${who}`);

  // the CI job's apply, not the admin's
  const apply = page.locator("tbody tr", { hasText: "spiffe://portcullis.dev/ci/" }).filter({ hasText: "apply" }).first();
  await apply.locator("a").first().click();
  await page.waitForSelector("section.decide", { timeout: 30000 });
  const ciWho = await page.locator("#approve-who").textContent();
  if (!ciWho.includes("spiffe://portcullis.dev/ci/") || !ciWho.includes("cannot approve") || !ciWho.includes("USER_TOKEN_REQUIRED")) {
    fail(`the CI job's apply does not say the CI identity cannot approve it: ${ciWho}`);
  }
  const decide = await page.locator("section.decide").textContent();
  if (!decide.includes(expectedSummary)) fail(`the approval section does not show '${expectedSummary}': ${decide}`);
  const digest = (await page.locator("#approve-digest").textContent()).trim();
  if (!/^[0-9a-f]{64}$/.test(digest)) fail(`no plan digest shown: '${digest}'`);
  const runId = new URL(page.url()).pathname.split("/").pop();

  await page.getByLabel("Comment (optional)").fill("approved in the browser");
  await page.getByRole("button", { name: "Approve this plan" }).click();
  await page.waitForURL(`${consoleUrl}/runs/${runId}`, { timeout: 30000 });
  await page.waitForFunction(() => document.getElementById("run-state")?.textContent === "SUCCEEDED", null, { timeout: 240000 });
  const log = await page.locator("#log").textContent();
  if (!log.includes("SUCCEEDED")) fail(`the live log did not follow the run to SUCCEEDED: ${log}`);
  await page.screenshot({ path: `${screenshots}/run-page.png`, fullPage: true });

  // the auditor finds the approval in the audit log, naming the person (delivery is asynchronous: look again for a while)
  const auditor = await context.browser().newContext({ ignoreHTTPSErrors: true });
  const auditPage = await auditor.newPage();
  const search = `${consoleUrl}/audit?action=run.approved&run=${runId}`;
  await auditPage.goto(search);
  await auditPage.locator("#user-auditor").click();
  await auditPage.waitForURL(search, { timeout: 30000 });
  const deadline = Date.now() + 60000;
  while (!(await auditPage.locator("table.audit").textContent().catch(() => "")).includes("spiffe://portcullis.dev/human/approver")) {
    if (Date.now() > deadline) fail(`the audit log shows no approval by the person: ${await auditPage.locator("main").textContent()}`);
    await auditPage.waitForTimeout(1000);
    await auditPage.reload();
  }
  // the auditor's other pages render without a refusal or a browser error; the alerts page's script opens its live stream
  watch(auditPage);
  for (const [path, heading] of [["/alerts", "Alerts"], ["/drift", "Drift"], ["/sources", "Pipeline sources"],
                                 ["/audit/integrity", "Log integrity"]]) {
    const answer = await auditPage.goto(`${consoleUrl}${path}`);
    if (answer.status() !== 200) fail(`${path} answered ${answer.status()}: ${await auditPage.locator("main").textContent()}`);
    const title = await auditPage.locator("h1").first().textContent();
    if (!title.includes(heading)) fail(`${path} shows '${title}', not '${heading}'`);
    if ((await auditPage.locator("[role=alert]").count()) > 0) {
      fail(`${path} shows a problem: ${await auditPage.locator("[role=alert]").first().textContent()}`);
    }
  }
  const verdict = await auditPage.locator("#log-verdict").textContent();
  if (!verdict.includes("INTACT")) fail(`the integrity page does not say the log is intact: ${verdict}`);
  await auditor.close();
  if (problems.length > 0) fail(`the browser reported errors: ${problems.join(" | ")}`);
  console.log(`approved ${runId} ${digest}`);
} catch (failure) {
  // what the page showed when it failed, for the person reading the log
  await page.screenshot({ path: `${screenshots}/failure.png`, fullPage: true }).catch(() => {});
  console.error(`the page at ${page.url()} says: ${(await page.locator("main").textContent().catch(() => "")).trim()}`);
  throw failure;
} finally {
  await browser.close();
}
