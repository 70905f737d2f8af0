"""The reading room's look and browser-side behaviour: theme, CSS and the small scripts of its HTML panels."""
from __future__ import annotations

import gradio as gr

ACCENT = "#9b2d24"


def theme() -> gr.themes.Base:
    """Gradio's default theme in archive colours; its fonts are bundled, so nothing is fetched.

    The bold weight is declared too: without it browsers substitute another font for bold text.
    """
    font = (gr.themes.LocalFont("Source Sans Pro", weights=(400, 600, 700)), "ui-sans-serif",
            "system-ui", "sans-serif")
    return gr.themes.Default(primary_hue="red", neutral_hue="stone", font=font)


CSS = f"""
.gradio-container {{ max-width: 1320px !important; }}
#masthead h1 {{ font-size: 1.55rem; margin: 0 0 .2rem; }}
#masthead p {{ margin: 0; color: var(--body-text-color-subdued); }}
.sr-only {{ position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
           clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }}
.status {{ margin: .2rem 0; font-style: italic; color: var(--body-text-color-subdued); }}
.status:empty {{ display: none; }}
.filters-summary {{ margin: .1rem 0; font-size: .9rem; color: var(--body-text-color-subdued); }}
.filters-on {{ color: #8a4b00; font-weight: 600; }}
#examples button {{ font-weight: 400; }}
.evidence-empty, .viewer-empty {{ color: var(--body-text-color-subdued); padding: .5rem 0; }}
.evidence-question {{ margin: 0 0 .3rem; font-size: .9rem; color: var(--body-text-color-subdued); }}
.evidence-lead {{ margin: 0 0 .6rem; font-weight: 600; }}
.evidence-heading {{ font-size: .8rem; text-transform: uppercase; letter-spacing: .05em;
                    margin: .4rem 0; color: var(--body-text-color-subdued); }}
.quote-list {{ list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column;
              gap: .6rem; }}
.quote-list li {{ margin: 0; }}
.quote-card {{ display: block; width: 100%; text-align: left; font: inherit; color: inherit;
              cursor: pointer; background: var(--background-fill-primary);
              border: 1px solid var(--border-color-primary); border-left: 4px solid {ACCENT};
              border-radius: 8px; padding: .7rem .9rem; }}
.quote-card:hover, .quote-card:focus-visible {{ border-color: {ACCENT}; outline: none;
              box-shadow: 0 0 0 3px rgba(155, 45, 36, .25); }}
.quote-no {{ font-weight: 700; color: {ACCENT}; }}
.quote-text {{ font-family: Georgia, "Times New Roman", serif; font-size: 1.02rem; line-height: 1.45; }}
.quote-cite {{ display: block; font-size: .85rem; color: var(--body-text-color-subdued);
              margin-top: .35rem; }}
.quote-open {{ display: block; font-size: .85rem; color: {ACCENT}; margin-top: .3rem; font-weight: 600; }}
.meta-card {{ background: #f7f3ea; color: #2b2b2b; border-radius: 8px; padding: .7rem .9rem;
             margin-bottom: .6rem; }}
.meta-title {{ margin: 0 0 .5rem; font-size: 1.05rem; }}
.meta-card dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: 0;
                font-size: .85rem; line-height: 1.35; }}
.meta-card dt {{ font-weight: 700; color: #5d574b; }}
.meta-card dd {{ margin: 0; overflow-wrap: anywhere; }}
.meta-card .muted {{ color: #6b655a; }}
.doc-link {{ font: inherit; background: none; border: none; padding: 0; margin: 0 .6rem 0 0;
            color: #1f5f99; text-decoration: underline; cursor: pointer; text-align: left; }}
.doc-text {{ display: block; white-space: pre-wrap; overflow-wrap: anywhere;
            font-family: Georgia, "Times New Roman", serif; line-height: 1.55; color: #222;
            background: #fffdf7; border: 1px solid #e4dccb; border-radius: 8px; padding: 1rem;
            max-height: 62vh; overflow-y: auto; position: relative; }}
mark.quote-mark {{ background: #ffe38a; color: #111; border-radius: 2px; padding: 0 .1em;
                  box-shadow: 0 0 0 2px #f0c43c; }}
mark.quote-mark:focus {{ outline: none; }}
mark.quote-mark:focus-visible {{ outline: 2px solid {ACCENT}; outline-offset: 2px; }}
.timeline {{ margin: 0; overflow-x: auto; background: #fffdf7; border-radius: 8px; padding: .5rem;
            color: #2b2b2b; }}
.timeline-svg {{ display: block; width: 100%; min-width: 640px; height: auto; }}
.timeline figcaption, .timeline-undated {{ font-size: .9rem; margin: .4rem .3rem; }}
.tl-doc {{ cursor: pointer; }}
.tl-doc:focus {{ outline: none; }}
.tl-doc:hover circle, .tl-doc:focus circle {{ stroke: #111; stroke-width: 3; }}
.tl-excluded {{ opacity: .25; }}
.glossary h3 {{ margin: 1rem 0 .4rem; }}
.glossary dl {{ margin: 0; }}
.glossary dt {{ font-weight: 700; margin-top: .5rem; }}
.glossary dd {{ margin: 0 0 .3rem 1rem; }}
.glossary .aliases {{ font-weight: 400; font-size: .85rem; color: var(--body-text-color-subdued); }}
@media (max-width: 640px) {{
  #masthead h1 {{ font-size: 1.25rem; }}
  .meta-card dl {{ grid-template-columns: 1fr; }}
  .meta-card dt {{ margin-top: .3rem; }}
  .doc-text {{ max-height: 55vh; }}
}}
"""

# Scripts run once when a panel mounts (``element``, ``trigger`` and ``watch`` are Gradio's).
# Clicks are delegated to the panel, so they keep working when its HTML is replaced.
PICK_QUOTE_JS = """
element.addEventListener('click', (event) => {
  const card = event.target.closest('[data-quote]');
  if (card) trigger('click', {quote: Number(card.dataset.quote)});
});
"""

PICK_DOCUMENT_JS = """
const pick = (target) => {
  const item = target.closest('[data-doc]');
  if (item) trigger('click', {doc: item.dataset.doc});
};
element.addEventListener('click', (event) => pick(event.target));
element.addEventListener('keydown', (event) => {
  // Buttons handle Enter and Space themselves; the timeline's SVG points need this.
  if ((event.key === 'Enter' || event.key === ' ') && event.target.matches('g[data-doc]')) {
    event.preventDefault();
    pick(event.target);
  }
});
"""

VIEWER_JS = PICK_DOCUMENT_JS + """
// Scroll the document box (not the page) so the highlight sits a third of the way down, or to
// the top for a document opened without one; bring the box into view only if it is off screen
// (on a phone it is below the chat).
const reveal = () => setTimeout(() => {
  const box = element.querySelector('.doc-text');
  if (!box) return;
  const mark = element.querySelector('#quote-highlight');
  box.scrollTop = mark ? Math.max(0, mark.offsetTop - box.clientHeight / 3) : 0;
  const where = box.getBoundingClientRect();
  if (where.top > window.innerHeight - 120 || where.bottom < 60) {
    box.scrollIntoView({block: 'start'});
  }
  // Move focus to what was opened, so keyboard and screen-reader users land on it.
  const target = mark || element.querySelector('.meta-title');
  if (target) target.focus({preventScroll: true});
}, 80);
watch('value', reveal);
reveal();
"""
