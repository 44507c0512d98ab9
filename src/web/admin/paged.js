// A table filled from a keyset-paged admin route, one page at a time, with an "Older …" button.
// The event log, leads and deliveries pages share it: cursor handling, the guard that drops a
// page answering an outdated query, errors (the whole table, or just the "older" step), the
// empty state and the status line live here once.

import { emptyRow, h, loadError } from "./dom.js";

export const PAGE_SIZE = 50;

// table, tbody: the table to fill. columns: how many (for the empty row).
// fetchPage(cursor): resolves to the route's JSON ({items, next_cursor}); cursor is null for
// the first page. row(item): one <tr>. emptyText(): the empty table's message.
// olderId, olderText, olderError: the button's id and label, and the "could not load" prefix.
// describe(loaded, more): the status line under the table ("" for none).
export function pagedTable({ table, tbody, columns, fetchPage, row, emptyText, olderId, olderText,
                             olderError, describe = () => "", statusId = null }) {
  let cursor = null;
  let loaded = 0;
  let generation = 0; // a newer query wins over an older page still loading

  const status = h("p", { class: "table-status muted", id: statusId, "aria-live": "polite" });
  const older = h("button", { type: "button", class: "btn", id: olderId, text: olderText, hidden: true });
  const results = h("div", { class: "results" });

  async function load(append) {
    const mine = ++generation;
    older.disabled = true;
    if (!append) {
      cursor = null;
      loaded = 0;
      tbody.replaceChildren();
      results.replaceChildren(h("div", { class: "table-wrap" }, table), h("div", { class: "table-foot" }, status, older));
      status.textContent = "Loading…";
    }
    let data;
    try {
      data = await fetchPage(append ? cursor : null);
    } catch (err) {
      if (mine !== generation) return;
      if (append) {
        status.textContent = `${olderError}: ${err.message}`;
        older.disabled = false;
      } else {
        results.replaceChildren(loadError(err, () => load(false)));
      }
      return;
    }
    if (mine !== generation) return;
    const items = Array.isArray(data?.items) ? data.items : [];
    if (!append && items.length === 0) tbody.append(emptyRow(columns, emptyText()));
    for (const item of items) tbody.append(row(item));
    loaded += items.length;
    cursor = data?.next_cursor ?? null;
    older.hidden = !cursor;
    older.disabled = false;
    status.textContent = loaded === 0 ? "" : describe(loaded, Boolean(cursor));
  }

  older.addEventListener("click", () => load(true));
  return { results, load };
}

// "1 event" / "2 events".
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
