import { html } from 'hono/html';
import { formatValue, timeTag } from '../format.ts';
import type { Html } from '../layout.ts';
import type { LatestValue, MeterTreeRow } from '../queries.ts';

/** Meters shown on one page of the hierarchy; a search narrows larger estates. */
export const METERS_PAGE_SIZE = 500;

export interface MetersPageData {
  rows: MeterTreeRow[];
  truncated: boolean;
  latest: Map<number, LatestValue>;
  search: string;
  /** Prefix each project with its organization (the user reads more than one). */
  showOrganization: boolean;
}

/** A node of the hierarchy: its label and the nodes (or meters) below it, in first-seen order. */
interface TreeNode<Child> {
  key: string;
  row: MeterTreeRow;
  children: Map<string, Child>;
}

type PlaceNode = TreeNode<MeterTreeRow>;
type BuildingNode = TreeNode<PlaceNode>;
type CustomerNode = TreeNode<BuildingNode>;
type ProjectNode = TreeNode<CustomerNode>;

function child<Child>(parent: Map<string, TreeNode<Child>>, key: string, row: MeterTreeRow): TreeNode<Child> {
  let node = parent.get(key);
  if (!node) {
    node = { key, row, children: new Map() };
    parent.set(key, node);
  }
  return node;
}

/** Groups the flat, hierarchy-ordered rows into project > customer > building > place > meter. */
function buildTree(rows: MeterTreeRow[]): Map<string, ProjectNode> {
  const projects = new Map<string, ProjectNode>();
  for (const row of rows) {
    const project = child<CustomerNode>(projects, `p${row.project.id}`, row);
    const customer = child<BuildingNode>(project.children, `c${row.customer.id}`, row);
    const building = child<PlaceNode>(customer.children, `b${row.building.id}`, row);
    const place = child<MeterTreeRow>(building.children, `l${row.place.id}`, row);
    place.children.set(row.meter.serialNumber, row);
  }
  return projects;
}

/** Renders the meters page body: a search form and the hierarchy as nested, collapsible lists. */
export function metersBody(data: MetersPageData): Html {
  const projects = [...buildTree(data.rows).values()];
  return html`<section>
<h1>Meters</h1>
<form class="search" role="search" method="get" action="/ui/meters">
<label for="meter-search" class="visually-hidden">Search meters</label>
<input id="meter-search" type="search" name="q" value="${data.search}" placeholder="Serial, name, place, building, address …">
<button type="submit">Search</button>
</form>
${data.truncated ? html`<p class="muted">Showing the first ${data.rows.length} meters: search to narrow the list.</p>` : ''}
${projects.length === 0 ? html`<p class="empty">${data.search ? 'No meter matches this search.' : 'No meters in your organizations yet.'}</p>` : ''}
<div class="tree">
${projects.map((project) => projectNode(project, data))}
</div>
</section>`;
}

function projectNode(project: ProjectNode, data: MetersPageData): Html {
  const prefix = data.showOrganization ? html`<span class="muted">${project.row.organizationName} ›</span> ` : '';
  return html`<details open class="level project"><summary>${prefix}<span class="kind">Project</span> ${project.row.project.name}</summary>
${[...project.children.values()].map(
    (customer) => html`<details open class="level customer"><summary><span class="kind">Customer</span> ${customer.row.customer.name}</summary>
${[...customer.children.values()].map((building) => buildingNode(building, data))}
</details>`,
  )}
</details>`;
}

function buildingNode(building: BuildingNode, data: MetersPageData): Html {
  const address = building.row.building.address;
  return html`<details open class="level building"><summary><span class="kind">Building</span> ${building.row.building.name}${address ? html` <span class="muted">${address}</span>` : ''}</summary>
${[...building.children.values()].map(
    (place) => html`<div class="level place"><h3><span class="kind">Place</span> ${place.row.place.name}</h3>
<ul class="meters">
${[...place.children.values()].map((row) => meterItem(row, data.latest.get(row.meter.id)))}
</ul>
</div>`,
  )}
</details>`;
}

function meterItem(row: MeterTreeRow, latest: LatestValue | undefined): Html {
  const { meter } = row;
  return html`<li class="meter" data-meter-serial="${meter.serialNumber}">
<a href="/ui/meters/${encodeURIComponent(meter.serialNumber)}"><strong>${meter.serialNumber}</strong>${meter.name ? html` · ${meter.name}` : ''}</a>
<span class="muted">${meter.meterType}${meter.status === 'active' ? '' : html` · ${meter.status}`}</span>
<span class="latest">${latest ? html`<strong>${formatValue(latest.value, latest.unit)}</strong> ${timeTag(latest.capturedAt)}` : html`<span class="muted">no reading yet</span>`}</span>
</li>`;
}
