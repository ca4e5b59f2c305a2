// The console in a real browser (headless Chromium driven by playwright-core): the dev requester,
// who holds no role, is refused and the page says why; signed in at the dev identity provider as the
// approver, find the waiting apply, read its plan summary and the digest being approved, approve
// it, and watch its log until the run SUCCEEDED; the auditor finds the approval in the audit log. Run by scripts/test-browser
// against a running `portcullis dev`; prints the approved run id and digest as `approved RUN DIGEST`.
//   node approve.mjs CONSOLE_URL SCREENSHOT_DIR EXPECTED_SUMMARY_LINE
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [consoleUrl, screenshots, expectedSummary] = process.argv.slice(2);
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
try {
  // a Content-Security-Policy violation or a script error is a failure of the page
  page.on("console", (message) => { if (message.type() === "error") problems.push(message.text()); });
  page.on("pageerror", (error) => problems.push(error.message));

  // the dev requester holds no role: the gateway shows them no run to approve, and the page says why
  const requester = await context.browser().newContext({ ignoreHTTPSErrors: true });
  const refusedPage = await requester.newPage();
  await refusedPage.goto(`${consoleUrl}/runs?state=AWAITING_APPROVAL`);
  await refusedPage.locator("#user-requester").click();
  await refusedPage.waitForURL(`${consoleUrl}/runs?state=AWAITING_APPROVAL`, { timeout: 30000 });
  const refusal = await refusedPage.locator("[role=alert]").textContent();
  if (!refusal.includes("PERMISSION_DENIED")) fail(`the requester was not refused: ${refusal}`);
  await requester.close();

  await page.goto(`${consoleUrl}/runs?state=AWAITING_APPROVAL`);
  await page.locator("#user-approver").click(); // the dev identity provider: pick who you are
  await page.waitForURL(`${consoleUrl}/runs?state=AWAITING_APPROVAL`, { timeout: 30000 });
  const who = await page.locator("nav .who").textContent();
  if (!who.includes("Dev approver")) fail(`not signed in as the approver: ${who}`);

  const apply = page.locator("tbody tr", { hasText: "apply" }).first();
  await apply.locator("a").first().click();
  await page.waitForSelector("section.decide", { timeout: 30000 });
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
