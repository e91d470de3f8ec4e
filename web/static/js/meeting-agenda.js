// The agenda builder: add, edit and delete items, nest them, and reorder the
// tree by drag and drop or by the buttons beside each item (up, down, in,
// out), which do the same for keyboard and switch users. Every reorder sends
// the whole tree (PUT .../agenda/order), as the server checks it whole.

import { api, ApiError, confirmDialog, duration, el, messenger, rebuild, t } from "./meeting-common.js";

/** Where an item sits: its node, the list it is in, its index there, and its parent. */
function locate(nodes, id, parent = null) {
  for (const [index, node] of nodes.entries()) {
    if (node.id === id) return { node, siblings: nodes, index, parent };
    const inner = locate(node.children, id, node);
    if (inner) return inner;
  }
  return null;
}

/** Every item once, with its parent and position: the body of PUT .../agenda/order. */
export function placements(nodes, parentId = null) {
  return nodes.flatMap((node, index) => [
    { id: node.id, parent_id: parentId, position: index + 1 },
    ...placements(node.children, node.id),
  ]);
}

/** Items in reading order with their numbers ("2", "2.1"). */
export function numbered(nodes, prefix = "") {
  return nodes.flatMap((node, index) => {
    const number = `${prefix}${index + 1}`;
    return [{ node, number }, ...numbered(node.children, `${number}.`)];
  });
}

/** The moves, each on a copy of the tree; null where the move is not possible. */
export const moves = {
  up(tree, id) {
    const at = locate(tree, id);
    if (!at || at.index === 0) return null;
    at.siblings.splice(at.index - 1, 0, ...at.siblings.splice(at.index, 1));
    return tree;
  },
  down(tree, id) {
    const at = locate(tree, id);
    if (!at || at.index === at.siblings.length - 1) return null;
    at.siblings.splice(at.index + 1, 0, ...at.siblings.splice(at.index, 1));
    return tree;
  },
  indent(tree, id) {
    const at = locate(tree, id);
    if (!at || at.index === 0) return null;
    const [node] = at.siblings.splice(at.index, 1);
    at.siblings[at.index - 1].children.push(node);
    return tree;
  },
  outdent(tree, id) {
    const at = locate(tree, id);
    if (!at || !at.parent) return null;
    const [node] = at.siblings.splice(at.index, 1);
    const outer = locate(tree, at.parent.id);
    outer.siblings.splice(outer.index + 1, 0, node);
    return tree;
  },
  /** Put `id` just before or after `targetId`, among the target's siblings. */
  beside(tree, id, targetId, where) {
    if (id === targetId) return null;
    const at = locate(tree, id);
    if (!at || locate(at.node.children, targetId)) return null; // not into its own subtree
    const [node] = at.siblings.splice(at.index, 1);
    const target = locate(tree, targetId);
    target.siblings.splice(target.index + (where === "after" ? 1 : 0), 0, node);
    return tree;
  },
};

export function setupAgenda(root, store) {
  const section = root.querySelector("#agenda");
  const tree = section.querySelector("[data-agenda-tree]");
  const say = messenger(section);
  const base = `/api/v1/meetings/${store.meetingId}/agenda`;
  let editing = null;
  let dragged = null;

  const agenda = () => store.detail.agenda;
  const copy = () => structuredClone(agenda());

  async function apply(work, done) {
    say.clear();
    try {
      const answer = await work();
      store.update({ agenda: answer.agenda });
      if (done) say.ok(done(answer));
      return answer;
    } catch (error) {
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
      render();
      return undefined;
    }
  }

  async function move(kind, id, ...args) {
    const changed = moves[kind](copy(), id, ...args);
    if (!changed) return;
    const title = locate(agenda(), id).node.title;
    await apply(() => api("PUT", `${base}/order`, { order: placements(changed) }), () => {
      const number = numbered(agenda()).find((entry) => entry.node.id === id).number;
      return t("meeting_pages.moved", { title, number });
    });
  }

  function actionButton(node, kind, symbol, label, possible) {
    return el("button", {
      type: "button", class: "icon-button", "aria-label": t(label, { title: node.title }),
      title: t(label, { title: node.title }), "aria-disabled": possible ? "false" : "true",
      dataset: { key: `${node.id}:${kind}` },
      onclick: () => { if (possible) move(kind, node.id); },
    }, el("span", { "aria-hidden": "true", text: symbol }));
  }

  function editForm(node) {
    const id = (name) => `edit-${node.id}-${name}`;
    const form = el("form", { class: "builder__edit form" },
      el("div", { class: "field" },
        el("label", { for: id("title"), text: t("meeting_pages.item_title") }),
        el("input", { id: id("title"), name: "title", type: "text", required: true, maxlength: "500",
          value: node.title, dataset: { key: `${node.id}:edit-title` } })),
      el("div", { class: "form-row" },
        el("div", { class: "field" },
          el("label", { for: id("presenter"), text: t("meeting_pages.item_presenter") }),
          el("input", { id: id("presenter"), name: "presenter", type: "text", maxlength: "200",
            value: node.presenter })),
        el("div", { class: "field field--narrow" },
          el("label", { for: id("minutes"), text: t("meeting_pages.item_minutes") }),
          el("input", { id: id("minutes"), name: "planned_minutes", type: "number", min: "0",
            max: "1440", inputmode: "numeric", value: String(node.planned_minutes) }))),
      el("p", { class: "button-row" },
        el("button", { type: "submit", class: "button button--primary", text: t("meeting_pages.save") }),
        el("button", { type: "button", class: "button button--secondary", text: t("meeting_pages.cancel"),
          onclick: () => { editing = null; render(); focusKey(`${node.id}:edit`); } })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const body = {
        title: form.elements.title.value.trim(),
        presenter: form.elements.presenter.value.trim(),
        planned_minutes: Number(form.elements.planned_minutes.value || 0),
      };
      const answer = await apply(() => api("PATCH", `${base}/${node.id}`, body),
        () => t("meeting_pages.item_saved", { title: body.title }));
      if (answer) { editing = null; render(); focusKey(`${node.id}:edit`); }
    });
    return form;
  }

  function item(node, number, index, siblings, depth) {
    const meta = [
      node.presenter ? `${t("meeting_pages.presenter")}: ${node.presenter}` : null,
      node.total_minutes ? duration(node.total_minutes) : null,
    ].filter(Boolean).join(" · ");
    const frozen = store.frozen;
    const actions = frozen ? null : el("div", {
      class: "builder__actions", role: "group", "aria-label": t("meeting_pages.item_actions", { title: node.title }),
    },
    actionButton(node, "up", "↑", "meeting_pages.move_up", index > 0),
    actionButton(node, "down", "↓", "meeting_pages.move_down", index < siblings.length - 1),
    actionButton(node, "indent", "→", "meeting_pages.indent", index > 0),
    actionButton(node, "outdent", "←", "meeting_pages.outdent", depth > 0),
    el("button", {
      type: "button", class: "button button--secondary button--small", dataset: { key: `${node.id}:edit` },
      "aria-label": t("meeting_pages.edit_item", { title: node.title }),
      onclick: () => { editing = node.id; render(); focusKey(`${node.id}:edit-title`); },
    }, t("meeting_pages.edit")),
    el("button", {
      type: "button", class: "button button--danger button--small", dataset: { key: `${node.id}:delete` },
      "aria-label": t("meeting_pages.delete_item", { title: node.title }),
      onclick: async () => {
        const yes = await confirmDialog({
          title: t("meeting_pages.delete_item", { title: node.title }),
          text: t("meeting_pages.confirm_delete", { title: node.title }),
          yes: t("meeting_pages.delete"),
        });
        if (!yes) { focusKey(`${node.id}:delete`); return; }
        await apply(() => api("DELETE", `${base}/${node.id}`),
          () => t("meeting_pages.item_deleted", { title: node.title }));
        section.querySelector("#item-title").focus();
      },
    }, t("meeting_pages.delete")));

    const row = el("div", {
      class: "builder__row", draggable: !frozen, dataset: { id: node.id },
    },
    frozen ? null : el("span", { class: "builder__handle", "aria-hidden": "true", title: t("meeting_pages.drag_handle", { title: node.title }), text: "⠿" }),
    el("span", { class: "builder__number", "aria-hidden": "true", text: number }),
    el("div", { class: "builder__text" },
      el("span", { class: "builder__title" },
        el("span", { class: "visually-hidden", text: `${number}. ` }),
        el("span", { dataset: { itemTitle: node.id }, text: node.title })),
      meta ? el("span", { class: "builder__meta", text: meta }) : null,
      el("span", { class: "builder__docs", dataset: { docsFor: node.id } })),
    actions);
    const children = node.children.length
      ? el("ol", { class: "builder builder--nested", role: "list" },
        node.children.map((child, i) => item(child, `${number}.${i + 1}`, i, node.children, depth + 1)))
      : null;
    return el("li", { class: "builder__item", dataset: { id: node.id } },
      editing === node.id ? editForm(node) : row, children);
  }

  function focusKey(key) {
    section.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
  }

  function render() {
    const nodes = agenda();
    rebuild(tree, nodes.map((node, i) => item(node, `${i + 1}`, i, nodes, 0)));
    tree.hidden = nodes.length === 0;
    const total = nodes.reduce((sum, node) => sum + node.total_minutes, 0);
    section.querySelector("[data-agenda-total]").textContent = nodes.length
      ? t("meeting_pages.total", { duration: duration(total) })
      : t("meeting_pages.agenda_empty");
    const parents = section.querySelector("[data-parent-choices]");
    const chosen = parents.value;
    parents.replaceChildren(el("option", { value: "", text: t("meeting_pages.top_level") }),
      ...numbered(nodes).map(({ node, number }) => el("option", {
        value: String(node.id), selected: String(node.id) === chosen, text: `${number}. ${node.title}`,
      })));
  }

  // --- drag and drop ---------------------------------------------------------------------
  const clearMarks = () => {
    for (const marked of tree.querySelectorAll(".drop-before, .drop-after, .dragging")) {
      marked.classList.remove("drop-before", "drop-after", "dragging");
    }
  };
  const rowOf = (event) => event.target.closest?.(".builder__row");
  const sideOf = (row, event) => {
    const box = row.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2 ? "before" : "after";
  };
  const allowed = (row) => dragged !== null && row
    && !tree.querySelector(`.builder__item[data-id="${dragged}"]`)?.contains(row);

  tree.addEventListener("dragstart", (event) => {
    const row = rowOf(event);
    if (!row) return;
    dragged = Number(row.dataset.id);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", String(dragged));
    row.classList.add("dragging");
  });
  tree.addEventListener("dragover", (event) => {
    const row = rowOf(event);
    if (!allowed(row)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const side = sideOf(row, event);
    row.classList.toggle("drop-before", side === "before");
    row.classList.toggle("drop-after", side === "after");
  });
  tree.addEventListener("dragleave", (event) => {
    rowOf(event)?.classList.remove("drop-before", "drop-after");
  });
  tree.addEventListener("drop", (event) => {
    const row = rowOf(event);
    if (!allowed(row)) return;
    event.preventDefault();
    const id = dragged;
    const side = sideOf(row, event);
    dragged = null;
    clearMarks();
    move("beside", id, Number(row.dataset.id), side);
  });
  tree.addEventListener("dragend", () => {
    dragged = null;
    clearMarks();
  });

  // --- add -------------------------------------------------------------------------------
  const form = section.querySelector("[data-add-item]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const title = form.elements.title.value.trim();
    const body = {
      title,
      presenter: form.elements.presenter.value.trim(),
      planned_minutes: Number(form.elements.planned_minutes.value || 0),
      parent_id: form.elements.parent_id.value ? Number(form.elements.parent_id.value) : null,
    };
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const answer = await apply(() => api("POST", base, body),
      () => t("meeting_pages.item_added", { title }));
    button.disabled = false;
    if (answer) {
      form.elements.title.value = "";
      form.elements.presenter.value = "";
      form.elements.planned_minutes.value = "";
      form.elements.title.focus();
    }
  });

  store.subscribe(render);
  render();
}
