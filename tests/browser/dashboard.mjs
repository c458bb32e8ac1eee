// dashboard.mjs - the dashboard in a real browser (Debian's chromium,
// driven by puppeteer-core; no browser is ever downloaded):
//   node dashboard.mjs CHROMIUM SITE-DIR ARTEFACT-DIR
// prints one "ok - ..." or "FAIL - ..." line per check, as tests/lib.sh
// does, and exits 1 if any failed. Checks: axe-core (WCAG 2.1 A and AA
// rules) reports no violation on any page; the participant search box is
// shown and filters; the summary prints to exactly one A4 page; at 1366 px
// and 390 px the newest week's column is within the viewport
// (screenshots kept as artefacts).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [chromium, site, art] = process.argv.slice(2);
let fails = 0, checks = 0;
function check(cond, msg, detail) {
	checks++;
	if (cond) {
		console.log("ok - " + msg);
	} else {
		fails++;
		console.log("FAIL - " + msg + (detail ? ": " + detail : ""));
	}
}

const browser = await puppeteer.launch({
	executablePath: chromium,
	headless: true,
	args: ["--no-sandbox", "--disable-gpu", "--proxy-server=socks5://127.0.0.1:9",
	       "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const url = (f) => "file://" + path.resolve(site, f);
try {
	const page = await browser.newPage();
	await page.setBypassCSP(true); // lets the test inject axe; the pages' own CSP is checked elsewhere
	page.on("pageerror", (e) => check(false, "no script error", String(e)));

	// axe on every page.
	const pages = fs.readdirSync(site).filter((f) => f.endsWith(".html")).sort();
	for (const f of pages) {
		await page.setViewport({ width: 1366, height: 900 });
		await page.goto(url(f), { waitUntil: "load" });
		await page.evaluate(axeSource);
		const r = await page.evaluate(() => axe.run(document, {
			runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
		}));
		check(r.violations.length === 0, `axe WCAG 2.1 AA: no violation on ${f}`,
		      r.violations.map((v) => v.id + " (" + v.nodes.length + "): " +
		                       v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")).join("; "));
	}

	// The search box is shown and filters the participants.
	await page.goto(url("index.html"), { waitUntil: "load" });
	const box = await page.$("input[data-filter=heatmap-table]");
	check(box && (await box.boundingBox()) !== null, "the participant search box is shown");
	if (box) {
		const before = await page.$$eval("#heatmap-table tbody tr", (rs) => rs.length);
		await box.type("0003");
		const shown = await page.$$eval("#heatmap-table tbody tr", (rs) => rs.filter((r) => !r.hidden).length);
		check(before > 1 && shown === 1, "typing 0003 keeps one participant of " + before, "shown " + shown);
	}

	// Newest week in view at desktop and phone widths.
	for (const [w, h, name] of [[1366, 900, "desktop"], [390, 844, "phone"]]) {
		await page.setViewport({ width: w, height: h });
		await page.goto(url("index.html"), { waitUntil: "load" });
		for (const id of ["att-site", "heatmap-table", "weekly-table"]) {
			const r = await page.$eval("#" + id, (t) => {
				t.scrollIntoView();
				const th = t.tHead.rows[0].cells;
				// the newest week: the first week column (tables put it first)
				let c = th[0];
				for (const x of th) if (/\d{4}-W\d\d/.test(x.textContent)) { c = x; break; }
				if (t.id === "weekly-table") c = t.tBodies[0].rows[0].cells[0];
				const b = c.getBoundingClientRect();
				return { left: b.left, right: b.right, top: b.top, bottom: b.bottom,
				         text: c.textContent, vw: document.documentElement.clientWidth,
				         vh: window.innerHeight };
			});
			check(r.left >= 0 && r.right <= r.vw && r.top >= 0 && r.bottom <= r.vh,
			      `${name} ${w} px: ${id}'s newest week (${r.text.trim()}) is in view`,
			      JSON.stringify(r));
		}
		await page.screenshot({ path: path.join(art, `dashboard-${name}.png`), fullPage: true });
	}

	// The summary prints to one A4 page.
	if (fs.existsSync(path.join(site, "summary.html"))) {
		await page.setViewport({ width: 1366, height: 900 });
		await page.goto(url("summary.html"), { waitUntil: "load" });
		const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
		fs.writeFileSync(path.join(art, "dashboard-summary.pdf"), pdf);
		const text = Buffer.from(pdf).toString("latin1");
		const n = (text.match(/\/Type\s*\/Page(?!s)/g) || []).length;
		const box = text.match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/);
		check(n === 1, "the summary prints to exactly one page", n + " pages");
		check(box && Math.abs(box[1] - 595.92) < 2 && Math.abs(box[2] - 842.88) < 2,
		      "...of A4 (595 x 842 pt)", box && box[0]);
	} else {
		check(false, "summary.html exists");
	}
} finally {
	await browser.close();
}
console.log(`${checks - fails} passed, ${fails} failed`);
process.exit(fails ? 1 : 0);
