"""The web pages: NiceGUI on the same FastAPI app as the REST API, calling the same services.

Layout of the package:

- `mount.py`: `mount_ui(app, core, executor)`, called once per `create_app`.
- `context.py`: how a page finds its server (`context_of(request)` → `UiContext`).
- `layout.py`: header (product, project switcher, the project's screens, language
  toggle) and `project_page`, which every project screen starts with.
- `nav.py`: `SCREENS`, the project screens in navigation order.
- `i18n.py`: `t(key)`, every string in English and Chinese.
- `helpers.py`, `safe.py`: error notices, confirmation, work off the event loop; Markdown
  rendering that shows any HTML in document text as text.
- one module per screen: `projects`, `files`, `chunks` (+ `chunk_dialogs`), `jobs`,
  `settings` (+ `settings_models`, `settings_forms`, `settings_prompts`).

Adding a screen (say "tags"):

1. `ui/tags.py` with a screen class and ``def register() -> None`` that declares
   ``@ui.page("/projects/{project_id}/tags")``; the page calls
   ``project_page(request, project_id, "tags")`` (None: no such project, already shown),
   then builds inside ``with content():``. Call services only; run slow ones with
   ``await off_loop(...)``; start long work as a job (`stages.start_stage` then
   ``ctx.submit(job_id)``) and let the jobs screen follow it.
2. ``Screen("tags", "<material icon>")`` in `nav.SCREENS`; strings ``nav.tags`` and
   ``tags.*`` in `i18n.STRINGS` (English and Chinese).
3. Add the module to `mount.PAGES`.

Rules: render user, document and model text with `ui.label`, tables (Vue escapes cell
text) or `safe.markdown`; never `ui.html` with such text; never put API keys on a page.
"""

from easy_dataset.server.ui.mount import mount_ui

__all__ = ["mount_ui"]
