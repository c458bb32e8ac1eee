/* html.c - escaping and the page skeleton: style sheet (screen, phone,
 * projector and print), navigation, banners and the small inline script
 * that sorts and filters tables. Nothing is loaded from anywhere: the
 * Content-Security-Policy forbids every fetch, so even a mistake cannot
 * make a browser on a probation network reach out. */
#include "dashboard.h"
#include "calendar.h"
#include "tl_time.h"

#include <string.h>

static const char html_css[] =
	":root{--ink:#1a1a1a;--muted:#4a4a4a;--line:#767676;--head:#e8eef5;--link:#0b4f8a}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:80rem;padding:0 1rem 2rem;color:var(--ink);background:#fff;"
	"font:1rem/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}\n"
	"a{color:var(--link)}a:focus,button:focus,input:focus{outline:3px solid #b35900;outline-offset:2px}\n"
	".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}\n"
	"header{border-bottom:3px solid #0b4f8a;margin-bottom:1rem}header p{margin:.25rem 0}\n"
	".brand{font-weight:700;color:#0b4f8a;text-transform:uppercase;letter-spacing:.05em;font-size:.85rem}\n"
	"h1{font-size:1.6rem;margin:.25rem 0}h2{font-size:1.3rem;border-bottom:1px solid var(--line);"
	"padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:1rem 0 .4rem}\n"
	".banner{border:3px solid #8a5a00;background:#fff4d6;padding:.6rem 1rem;font-weight:700}\n"
	".warn{border-left:6px solid #a40000;background:#fdecea;padding:.5rem 1rem}\n"
	".note{color:var(--muted);font-size:.92rem}\n"
	"nav ul{list-style:none;margin:.3rem 0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem .9rem}\n"
	"nav a[aria-current]{font-weight:700;color:var(--ink)}\n"
	".scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:3px solid #b35900}\n"
	".scroll th[scope=row]{position:sticky;left:0;background:#fff;z-index:1}"
	".scroll thead th:first-child{position:sticky;left:0;z-index:2}\n"
	".lead{font-size:1.1rem;margin:.3rem 0}ul.words{padding-left:1.2rem}ul.words li{margin:.2rem 0}\n"
	".strip{white-space:nowrap}.strip span{display:inline-block;min-width:2.3rem;text-align:center;"
	"border:1px solid #b0b0b0;margin-right:2px;font-variant-numeric:tabular-nums}\n"
	".tag{border:1px solid #0b4f8a;padding:0 .25rem;font-size:.8rem;color:#0b4f8a}\n"
	".mark{font-weight:700;color:#a40000}\n"
	"table{border-collapse:collapse;margin:.3rem 0 1rem;font-size:.92rem}\n"
	"th,td{border:1px solid #b0b0b0;padding:.25rem .45rem;text-align:left;vertical-align:top}\n"
	"thead th,td.num,td.date,.hm td,th[scope=row]{white-space:nowrap}\n"
	"thead th{background:var(--head)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"caption{text-align:left;font-weight:600;padding:.2rem 0}\n"
	".kpi{font-size:1.05rem}.kpi td.num{font-size:1.35rem;font-weight:700;min-width:4.5rem}"
	".kpi th[scope=row]{white-space:normal}\n"
	".fig{display:grid;grid-template-columns:1fr;gap:1rem;align-items:start}\n"
	"@media (min-width:60rem){.fig{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}\n"
	"@media (min-width:120rem){body{max-width:110rem;font-size:1.2rem}}\n"
	"svg.chart{width:100%;height:auto;max-height:22rem;display:block}\n"
	"svg.chart text{font:12px system-ui,Arial,sans-serif;fill:#1a1a1a}\n"
	".hm td{text-align:center;min-width:3.2rem;font-variant-numeric:tabular-nums}\n"
	".h-none{background:#fff;color:#1a1a1a}.h-part{background:#c6dbef;color:#1a1a1a}"
	".h-all{background:#08519c;color:#fff;font-weight:700}.h-na{background:#f2f2f2;color:#4a4a4a}\n"
	".lv-low{background:#fff;color:#1a1a1a}.lv-mid{background:#fdd9a6;color:#1a1a1a}"
	".lv-high{background:#5e3c99;color:#fff;font-weight:700}\n"
	".key span{display:inline-block;border:1px solid #555;padding:0 .4rem;margin-right:.4rem}\n"
	"button.sort{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;"
	"color:var(--ink);text-decoration:underline dotted}\n"
	"th[aria-sort=ascending] button::after{content:' \\2191'}"
	"th[aria-sort=descending] button::after{content:' \\2193'}\n"
	".state-online{font-weight:700}.state-offline{color:#a40000;font-weight:700}\n"
	"footer{margin-top:2rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}\n"
	"@media print{@page{size:A4 landscape;margin:12mm}"
	"body{max-width:none;padding:0;font-size:9.5pt}nav,.js-only,.noprint,.skip,#heatmap,#downloads"
	"{display:none!important}.fig{display:block}"
	"section{break-inside:avoid-page}h2{break-after:avoid}a{color:#000;text-decoration:none}"
	".scroll{overflow:visible}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"svg.chart{max-height:8cm}}\n";

/* Sorting (buttons in headers marked data-sort) and filtering (inputs
 * marked data-filter); without script the tables are simply in their
 * default order. */
static const char html_js[] =
	"(function(){\n"
	"function key(c,num){var v=c.getAttribute('data-v');if(v===null)v=c.textContent;"
	"if(!num)return v.toLowerCase();var n=parseFloat(v);return isNaN(n)?-1:n;}\n"
	"var ts=document.querySelectorAll('table.sortable');\n"
	"for(var i=0;i<ts.length;i++)(function(t){\n"
	" var hs=t.querySelectorAll('thead th[data-sort]');\n"
	" for(var j=0;j<hs.length;j++)(function(th){\n"
	"  var b=document.createElement('button');b.type='button';b.className='sort';"
	"b.textContent=th.textContent;th.textContent='';th.appendChild(b);\n"
	"  b.addEventListener('click',function(){\n"
	"   var idx=Array.prototype.indexOf.call(th.parentNode.children,th),num=th.getAttribute('data-sort')==='num';\n"
	"   var asc=th.getAttribute('aria-sort')!=='ascending';\n"
	"   var o=t.querySelectorAll('th[aria-sort]');for(var k=0;k<o.length;k++)o[k].removeAttribute('aria-sort');\n"
	"   th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
	"   var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows);\n"
	"   rows.sort(function(a,c){var x=key(a.cells[idx],num),y=key(c.cells[idx],num);"
	"var r=x<y?-1:x>y?1:0;return asc?r:-r;});\n"
	"   for(var k=0;k<rows.length;k++)tb.appendChild(rows[k]);\n"
	"  });\n"
	" })(hs[j]);\n"
	"})(ts[i]);\n"
	"var fs=document.querySelectorAll('input[data-filter]');\n"
	"for(var i=0;i<fs.length;i++)(function(inp){\n"
	" var t=document.getElementById(inp.getAttribute('data-filter'));if(!t)return;\n"
	" var box=inp.parentNode;while(box&&!(box.classList&&box.classList.contains('js-only')))box=box.parentNode;\n if(box)box.hidden=false;\n"
	" inp.addEventListener('input',function(){var q=inp.value.toLowerCase();\n"
	"  var rs=t.tBodies[0].rows;for(var k=0;k<rs.length;k++)"
	"rs[k].hidden=q!==''&&rs[k].textContent.toLowerCase().indexOf(q)<0;});\n"
	"})(fs[i]);\n"
	"})();\n";

/* Extra style for a call sheet: cards on a phone, A4 portrait in print
 * with room to write. */
static const char html_css_sheet[] =
	"td.write{min-width:12rem}\n"
	"@media (max-width:40rem){table.fu,table.fu tbody,table.fu tr,table.fu td,table.fu th"
	"{display:block}table.fu thead{position:absolute;left:-9999px}"
	"table.fu tr{border:1px solid #767676;margin:0 0 .6rem;padding:.3rem}"
	"table.fu td,table.fu th{border:0;padding:.1rem 0}table.fu td.write{display:none}"
	".scroll th[scope=row]{position:static}}\n"
	"@media print{@page{size:A4 portrait;margin:12mm}td.write{min-width:45mm}"
	"tr{break-inside:avoid}}\n";

/* Extra style for the one-page summary: A4 portrait, two columns of
 * figures, everything sized to fit one sheet. */
static const char html_css_summary[] =
	"body{max-width:60rem}.sum{display:grid;grid-template-columns:1fr 1fr;gap:.2rem 1.2rem}"
	".sum h2{font-size:1.05rem;margin:.4rem 0 .2rem}.sum table{font-size:.85rem;margin:.1rem 0 .3rem}"
	".sum svg.chart{max-height:11rem}.wide{grid-column:1 / -1}.sum p{margin:.2rem 0}\n"
	"@media (max-width:40rem){.sum{grid-template-columns:1fr}}\n"
	"@media print{@page{size:A4 portrait;margin:10mm}body{font-size:8.5pt}"
	".sum svg.chart{max-height:4.2cm}.sum table{font-size:7.5pt}th,td{padding:.05rem .3rem}"
	"h1{font-size:13pt;margin:0}.sum h2{font-size:10pt;margin:.15rem 0}header{margin-bottom:.2rem}}\n";

/* Extra style for a document (the data dictionary): a reading width,
 * code set apart, long tables scrolling in their own region. */
static const char html_css_text[] =
	"body{max-width:60rem}.doc code{background:#f2f2f2;padding:0 .2rem;font-size:.9em;"
	"overflow-wrap:anywhere}.doc pre{background:#f2f2f2;padding:.5rem;overflow-x:auto}"
	".doc table{max-width:100%}.doc td:first-child{white-space:nowrap}\n";

void html_doc_begin(FILE *f, const char *title, const char *scope, int kind)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; "
	      "form-action 'none'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>",
	      f);
	html_esc(f, title);
	if (scope && scope[0]) {
		fputs(" &#8211; ", f);
		html_esc(f, scope);
	}
	fprintf(f, " &#8211; Touchline</title>\n<style>\n%s%s</style>\n</head>\n<body>\n", html_css,
	        kind == HTML_DOC_SHEET     ? html_css_sheet
	        : kind == HTML_DOC_SUMMARY ? html_css_summary
	        : kind == HTML_DOC_TEXT    ? html_css_text
	                                   : "");
}

void html_doc_end(FILE *f)
{
	fprintf(f, "<footer><p>Made by the Touchline dashboard, version %s."
	           "</p></footer>\n</body>\n</html>\n",
	        TOUCHLINE_VERSION);
}

/* The head, the title block, the banners and both navigations. */
void html_page_begin(FILE *f, struct dash *d, const struct dash_scope *s,
                     const struct dash_pages *pages)
{
	char week[32], day[32], when[48];

	snprintf(week, sizeof week, "week %s", d->this_week);
	html_doc_begin(f, s->title, week, 0);
	fputs("<a class=\"skip\" href=\"#main\">Skip to the figures</a>\n<header>\n"
	      "<p class=\"brand\">Touchline attendance dashboard</p>\n<h1>",
	      f);
	html_esc(f, s->title);
	fprintf(f, "</h1>\n<p>Today is %s, in week <strong>%s</strong>; last week is "
	           "<strong>%s</strong>.",
	        dash_day(d->today, 1, day), d->this_week, d->last_week);
	if (d->since[0])
		fprintf(f, " Only sessions and taps from %s on.", dash_day(d->since, 1, day));
	if (d->as_of) {
		char local[TL_DATE_LEN];
		fprintf(f, " Attendance as of %s (%s time).</p>\n", dash_when(d, d->as_of, when),
		        strcmp(d->zone, "Europe/London") == 0 ? "UK" : d->zone);
		if (strcmp(dash_local_date(d, d->as_of, local), d->today) < 0)
			fprintf(f, "<p class=\"warn\">Attendance was last worked out before %s: "
			           "sessions since then show no attendance yet. <a href=\"#quality\">Data "
			           "quality</a> says how to bring it up to date.</p>\n",
			        dash_day(d->today, 1, day));
	} else {
		fputs("</p>\n<p class=\"warn\">Attendance has not been worked out yet, so no session "
		      "shows any. <a href=\"#quality\">Data quality</a> says how.</p>\n", f);
	}
	fputs("<p class=\"noprint\"><a href=\"summary.html\">One-page summary for a partnership "
	      "meeting</a> (prints on one A4 sheet, no participant named).</p>\n</header>\n", f);
	if (d->names)
		fputs("<p class=\"banner\" role=\"note\">Internal coach view: this page shows "
		      "participant names. Do not share, forward or print it for partners.</p>\n",
		      f);
	else
		fputs("<p class=\"note\">Participants are shown by pseudonymous code only.</p>\n", f);
	fputs("<nav aria-label=\"Pages\"><ul>\n", f);
	for (int i = 0; i < pages->n; i++) {
		const struct dash_scope *p = &pages->v[i];
		fputs("<li><a href=\"", f);
		html_esc(f, p->file);
		fputs(p == s ? "\" aria-current=\"page\">" : "\">", f);
		html_esc(f, i == 0 && !p->programme && !p->site ? "Overview of all" : p->title);
		fputs("</a></li>\n", f);
	}
	fputs("</ul></nav>\n<nav aria-label=\"Sections\" class=\"noprint\"><ul>\n", f);
	for (int i = 0; i < dash_nsections; i++)
		fprintf(f, "<li><a href=\"#%s\">%s</a></li>\n", dash_sections[i].id,
		        dash_sections[i].heading);
	fputs("</ul></nav>\n", f);
	svg_defs(f);
	fputs("<main id=\"main\">\n", f);
}

void html_page_end(FILE *f)
{
	fprintf(f, "</main>\n<footer><p>Made by the Touchline dashboard, version %s. Programme activity counts programme sessions only, not total "
	           "physical activity.</p></footer>\n<script>\n%s</script>\n</body>\n</html>\n",
	        TOUCHLINE_VERSION, html_js);
}

void html_site_links(FILE *f, struct dash *d, const struct dash_scope *s, const char *id,
                     const char *caption, const char *what, const char *anchor,
                     long (*count)(struct dash *d, const struct dash_scope *sub, void *arg),
                     void *arg)
{
	int n = 0;

	fprintf(f, HTML_SCROLL("%s")
	           "<table class=\"sortable\" id=\"%s\">\n<caption>%s</caption>\n<thead><tr>"
	           "<th scope=\"col\" data-sort=\"text\">Site</th><th scope=\"col\" class=\"num\" "
	           "data-sort=\"num\">%s</th></tr></thead>\n<tbody>\n",
	        caption, id, caption, what);
	for (int i = 0; d->pages && i < d->pages->n; i++) {
		const struct dash_scope *p = &d->pages->v[i];
		struct dash_scope sub = *s;
		if (p == s || !p->site || !facts_site_in(d, s, p->site))
			continue;
		sub.site = p->site;
		fprintf(f, "<tr id=\"%s-%d\"><th scope=\"row\"><a href=\"", id, ++n);
		html_esc(f, p->file);
		fprintf(f, "#%s\">", anchor);
		html_esc(f, p->title);
		fprintf(f, "</a></th><td class=\"num\">%ld</td></tr>\n", count(d, &sub, arg));
	}
	if (!n)
		fputs("<tr><td colspan=\"2\">No site pages.</td></tr>\n", f);
	fputs("</tbody>\n</table></div>\n", f);
}

void html_section(FILE *f, const char *id, const char *heading)
{
	fprintf(f, "<section id=\"%s\" aria-labelledby=\"%s-h\">\n<h2 id=\"%s-h\">%s</h2>\n", id,
	        id, id, heading);
}

void html_section_end(FILE *f)
{
	fputs("</section>\n", f);
}

void html_pct(FILE *f, int pct)
{
	if (pct < 0)
		fputs("<td class=\"num\" data-v=\"-1\">&#8211;</td>", f);
	else
		fprintf(f, "<td class=\"num\" data-v=\"%d\">%d%%</td>", pct, pct);
}

extern const char dash_data_dictionary_html[];

/* The data dictionary, made HTML when the program was built (tl-markdown
 * on docs/data-dictionary.md), in the dashboard's own page style. */
void html_dictionary(FILE *f)
{
	html_doc_begin(f, "Data dictionary", "", HTML_DOC_TEXT);
	fputs("<p class=\"noprint\"><a href=\"index.html\">Back to the dashboard</a> &#183; "
	      "<a href=\"downloads/data-dictionary.md\">As plain text</a></p>\n"
	      "<main id=\"main\" class=\"doc\">\n", f);
	fputs(dash_data_dictionary_html, f);
	fputs("</main>\n", f);
	html_doc_end(f);
}
