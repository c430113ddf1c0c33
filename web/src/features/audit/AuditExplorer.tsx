/** /audit: search, filter and page through the trail, follow it live, open one event. */
import RefreshIcon from "@mui/icons-material/Refresh";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import LinearProgress from "@mui/material/LinearProgress";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { PageHeader } from "../../components/PageHeader";
import { ErrorState, Loading } from "../../components/States";
import { EventDrawer } from "./EventDrawer";
import { EventTable } from "./EventTable";
import { isOwnRecord } from "./format";
import { ExportMenu } from "./ExportMenu";
import { FilterBar } from "./FilterBar";
import { FirstEventGuide, NoMatch } from "./EmptyResults";
import { EMPTY_FILTERS, inWindow, isFiltered, searchQuery, streamQuery, timeWindow, validateFilters } from "./filters";
import type { AuditFilters } from "./filters";
import { LiveToggle } from "./LiveToggle";
import { PageControls } from "./PageControls";
import type { EventPage } from "./types";
import { useAnchor } from "./useAnchor";
import { useCursorPages } from "./useCursorPages";
import { useLiveTail } from "./useLiveTail";
import { filtersFromParams, filtersKey, filtersToParams, pageSizeFromParams } from "./urlState";
import { VolumeChart } from "./VolumeChart";

/** Set in history state when the drawer was opened from the list, so closing can go back. */
const OPENED_HERE = "auditDrawerOpenedHere";

export function AuditExplorer() {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const pageSize = pageSizeFromParams(params);
  const eventId = params.get("event");
  const problems = validateFilters(filters);
  const valid = !problems.since && !problems.until;

  const [refreshes, setRefreshes] = useState(0);
  const key = `${filtersKey(filters)}|${refreshes}`;
  const anchor = useAnchor(key);
  const pages = useCursorPages(`${key}|${pageSize}`);
  const search = searchQuery(filters, anchor);

  const liveUnavailable = !valid
    ? "Fix the time range first."
    : filters.range === "custom" && filters.until
      ? "The live tail follows ranges without an end."
      : undefined;
  const [liveOn, setLiveOn] = useState(false);
  const liveActive = liveOn && !liveUnavailable;
  const live = useLiveTail(liveActive, useMemo(() => streamQuery(filters), [filters]));

  const list = useQuery({
    queryKey: ["audit", "events", search, pageSize, pages.cursor ?? null],
    queryFn: ({ signal }) =>
      api<EventPage>("/api/v1/audit/events", { query: { ...search, limit: pageSize, cursor: pages.cursor }, signal }),
    enabled: valid,
    placeholderData: keepPreviousData,
  });

  const items = list.data?.items ?? [];
  const rows = useMemo(() => {
    if (!liveActive || pages.page > 1 || !live.events.length) return items;
    // The stream has no time range: apply the range here, as the search does.
    const window = timeWindow(filters, anchor);
    // Newest first by time, like the pages below (the stream comes in ledger order).
    const arrived = live.events
      .filter((e) => inWindow(e.time, window))
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || b.id.localeCompare(a.id));
    const ids = new Set(arrived.map((e) => e.id));
    return [...arrived, ...items.filter((e) => !ids.has(e.id))];
  }, [items, live.events, liveActive, pages.page, filters, anchor]);

  const go = (f: AuditFilters, extras: { pageSize?: number; event?: string | null } = {}) =>
    filtersToParams(f, { pageSize, event: null, ...extras });
  const apply = (f: AuditFilters) => {
    setParams(go(f));
    // Applying the same filters again runs the query again, with presets resolved anew.
    if (filtersKey(f) === filtersKey(filters)) setRefreshes((n) => n + 1);
  };
  const openEvent = (id: string) =>
    navigate({ search: `?${go(filters, { event: id })}` }, { state: { [OPENED_HERE]: true } });
  // A stable handler for the memoised rows, calling the latest openEvent.
  const openLatest = useRef(openEvent);
  useLayoutEffect(() => {
    openLatest.current = openEvent;
  });
  const onOpenRow = useCallback((id: string) => openLatest.current(id), []);
  const closeEvent = () => {
    if ((location.state as Record<string, unknown> | null)?.[OPENED_HERE]) navigate(-1);
    else setParams(go(filters), { replace: true });
  };
  const toggleLive = (on: boolean) => {
    setLiveOn(on);
    if (on) pages.newest();
    // Back to plain pages: reload the newest one, which now holds what arrived live.
    else setRefreshes((n) => n + 1);
  };

  const empty = valid && list.isSuccess && !list.isPlaceholderData && rows.length === 0 && pages.page === 1;
  // The whole trail fits on this page and holds only Sealtrail's own records: no producer yet.
  const noProducerYet =
    valid &&
    !isFiltered(filters) && pages.page === 1 && list.data?.next_cursor === null && rows.length > 0 && rows.every(isOwnRecord);

  return (
    <>
      <PageHeader
        title="Audit explorer"
        subtitle="Every event of your tenant, newest first. Open one for its details and its ledger proof."
        actions={
          <>
            <LiveToggle on={liveOn} onChange={toggleLive} live={live} unavailable={liveUnavailable} />
            <Button startIcon={<RefreshIcon />} onClick={() => setRefreshes((n) => n + 1)} disabled={!valid}>
              Refresh
            </Button>
            <ExportMenu query={search} disabled={!valid} />
          </>
        }
      />
      <FilterBar filters={filters} onApply={apply} />
      {!valid ? (
        <Alert severity="error" sx={{ mb: 2 }}>
          The time range is not valid: {[problems.since, problems.until].filter(Boolean).join(" ")} Fix it above, or{" "}
          <Button size="small" onClick={() => apply(EMPTY_FILTERS)}>
            clear the filters
          </Button>
        </Alert>
      ) : (
        <VolumeChart
          filters={filters}
          anchor={anchor}
          onZoom={(since, until) => apply({ ...filters, range: "custom", since, until })}
        />
      )}
      {valid && list.isPending ? <Loading label="Searching the trail" /> : null}
      {valid && list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
      {empty ? isFiltered(filters) ? <NoMatch onClear={() => apply(EMPTY_FILTERS)} /> : <FirstEventGuide /> : null}
      {noProducerYet ? <FirstEventGuide title="Only Sealtrail's own records so far (sign-ins, searches)" /> : null}
      {valid && list.data && !empty ? (
        <Box>
          <Box sx={{ height: 4 }}>{list.isFetching ? <LinearProgress aria-label="Loading events" /> : null}</Box>
          <EventTable events={rows} busy={list.isFetching} fresh={live.fresh} onOpen={onOpenRow} />
          <PageControls
            page={pages.page}
            shown={rows.length}
            pageSize={pageSize}
            hasOlder={Boolean(list.data.next_cursor) && !list.isPlaceholderData}
            loading={list.isFetching}
            onNewer={pages.newer}
            onOlder={() => list.data?.next_cursor && pages.older(list.data.next_cursor)}
            onPageSize={(n) => setParams(go(filters, { pageSize: n, event: eventId }), { replace: true })}
          />
        </Box>
      ) : null}
      <EventDrawer eventId={eventId} preview={rows.find((e) => e.id === eventId)} onClose={closeEvent} />
    </>
  );
}
