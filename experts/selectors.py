"""Reads of the experts app that span relations, with their joins declared in one place."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import Role
from certification.models import Application, Document, IPKind, RDManagementItem
from experts.models import Draw, Review, ReviewStatus, ScoreAmendment
from experts.scoring import FiscalFigures, ScoringFacts

# --- Reviews and scores ---------------------------------------------------------------------------


def review_facts(application: Application) -> ScoringFacts:
    """The pure inputs of :func:`experts.scoring.indicator_bands` from the saved application.

    Related rows are read through ``.all()``, so an application fetched with
    :func:`with_review_details` costs no further query. Conversions count in the three years before
    the application year (application 2026 → 2023–2025); see experts.scoring for the readings.
    """
    ip_items = list(application.ip_items.all())
    window = range(application.year - 3, application.year)
    by_year = {year: 0 for year in window}
    outside = 0
    for conversion in application.conversions.all():
        if conversion.year in by_year:
            by_year[conversion.year] += 1
        else:
            outside += 1
    claimed = set(application.rd_management or []) & set(RDManagementItem.values)
    return ScoringFacts(
        ip_count=len(ip_items),
        invention_patents=sum(1 for item in ip_items if item.kind == IPKind.INVENTION_PATENT),
        conversions_by_year=by_year,
        conversions_outside_window=outside,
        rd_management_items=len(claimed),
        fiscal_years=tuple(
            FiscalFigures(year=fy.year, total_assets=fy.total_assets, sales_revenue=fy.sales_revenue)
            for fy in application.fiscal_years.all()
        ),
    )


def reviews_visible_to(user) -> QuerySet[Review]:  # type: ignore[no-untyped-def]
    """Every review list, detail and action starts here; a review outside it is a 404.

    - expert: their own assignments, except those they declined (the material is no longer theirs,
      as in certification.applications.permissions.applications_visible_to);
    - district official: the reviews of their district's applications (the district reads the scores);
    - municipal office: all;
    - the enterprise, anyone else and anonymous visitors: none.
    """
    qs = Review.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.EXPERT:
        return qs.filter(expert__user=user).exclude(status=ReviewStatus.DECLINED)
    if user.role == Role.DISTRICT:
        return qs.filter(application__district_id=user.district_id)
    if user.role == Role.MUNICIPAL:
        return qs
    return qs.none()


def with_review_summary(qs: QuerySet[Review]) -> QuerySet[Review]:
    """What a list of reviews shows, in one query."""
    return qs.select_related("application__enterprise", "application__field", "expert", "draw")


def with_review_details(qs: QuerySet[Review]) -> QuerySet[Review]:
    """What the review page / API detail shows: the application's material, the amendments."""
    return qs.select_related(
        "application__enterprise__district",
        "application__field__parent",
        "application__rule_set",
        "expert__user",
        "draw",
    ).prefetch_related(
        "application__fiscal_years",
        "application__ip_items",
        "application__conversions",
        "application__products",
        Prefetch(
            "application__documents",
            queryset=Document.objects.order_by("kind", "uploaded_at", "id"),
        ),
        Prefetch("amendments", queryset=ScoreAmendment.objects.select_related("by").order_by("at", "id")),
    )


def reopened_reviews(application: Application) -> QuerySet[Review]:
    """Reviews of the application whose score the district reopened and the expert has not yet resubmitted."""
    from experts.models import ScoreReopening

    waiting = ScoreReopening.objects.filter(review__application=application, resubmitted_at__isnull=True)
    return Review.objects.filter(pk__in=waiting.values("review_id"))


def score_history(application: Application) -> list[dict]:
    """The district's record of reopened scores and the amendments that followed, oldest first.

    ``[{"at", "expert", "by", "reason", "resubmitted_at", "amendments": [{"indicator", "old", "new",
    "by"}]}]`` for each reopening, then the district's corrections of its own paper sheets
    (``reopening`` None). For the district and the office only: it names experts. Two queries.
    """
    from experts.models import ScoreReopening
    from experts.scoring import indicator_label

    events: list[dict] = []
    amendments = list(
        ScoreAmendment.objects.filter(review__application=application)
        .select_related("by", "review__expert", "reopening")
        .order_by("at", "id")
    )
    for reopening in (
        ScoreReopening.objects.filter(review__application=application)
        .select_related("by", "review__expert")
        .order_by("at", "id")
    ):
        events.append(
            {
                "at": reopening.at,
                "expert": reopening.review.expert.name,
                "by": reopening.by.display_name,
                "reason": reopening.reason,
                "resubmitted_at": reopening.resubmitted_at,
                "amendments": [
                    {
                        "indicator": indicator_label(a.indicator),
                        "old": a.old_points,
                        "new": a.new_points,
                        "by": a.by.display_name,
                    }
                    for a in amendments
                    if a.reopening_id == reopening.pk
                ],
            }
        )
    for a in amendments:
        if a.reopening_id is None:
            events.append(
                {
                    "at": a.at,
                    "expert": a.review.expert.name,
                    "by": a.by.display_name,
                    "reason": a.reason,
                    "resubmitted_at": None,
                    "amendments": [
                        {
                            "indicator": indicator_label(a.indicator),
                            "old": a.old_points,
                            "new": a.new_points,
                            "by": a.by.display_name,
                        }
                    ],
                }
            )
    return sorted(events, key=lambda e: e["at"])


def reviews_for_expert(user) -> QuerySet[Review]:  # type: ignore[no-untyped-def]
    """The expert's assignments (not those they declined), newest first."""
    if getattr(user, "role", None) != Role.EXPERT:
        return Review.objects.none()
    return with_review_summary(reviews_visible_to(user)).order_by("-draw__created_at", "-id")


def latest_draw(application: Application) -> Draw | None:
    return Draw.objects.filter(application=application).order_by("-created_at", "-id").first()


def panel_reviews(application: Application, *, include_declined: bool = True) -> QuerySet[Review]:
    """The reviews of the application's current (latest) draw: chair first, then technical, then financial.

    Declined reviews are included by default so the district sees who was replaced and why.
    """
    draw = latest_draw(application)
    if draw is None:
        return Review.objects.none()
    qs = Review.objects.filter(draw=draw).select_related("expert__user", "entered_by")
    if not include_declined:
        qs = qs.exclude(status=ReviewStatus.DECLINED)
    return qs.order_by("-chair", "-kind", "id")


# --- Draws ------------------------------------------------------------------------------------------
# (Imports of this section sit here so the section can be read, and merged, on its own.)

from collections.abc import Collection  # noqa: E402

from django.db.models import Count, Q  # noqa: E402

from certification.eligibility.engine import RuleSet as RuleSetRules  # noqa: E402
from experts.draw import FINANCIAL, TECHNICAL, DrawRequest, DrawRules, PoolExpert  # noqa: E402
from experts.models import Expert  # noqa: E402


def draws_visible_to(user) -> QuerySet[Draw]:  # type: ignore[no-untyped-def]
    """Every draw record view (detail, replay, PDF) starts here; a draw outside it is a 404.

    The district official of the application's district and the municipal office; nobody else —
    not even an expert on the panel (reviews are blind: the record names the whole panel).
    """
    qs = Draw.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.DISTRICT:
        return qs.filter(application__district_id=user.district_id)
    if user.role == Role.MUNICIPAL:
        return qs
    return qs.none()


def with_draw_details(qs: QuerySet[Draw]) -> QuerySet[Draw]:
    return qs.select_related("application__enterprise__district", "application__field", "created_by")


def draw_request_for(application: Application) -> DrawRequest:
    """The pure draw's view of the application: field, USCCs and the rule set's panel rules.

    Fetch the application with ``select_related("enterprise", "field__parent", "rule_set")``.
    Alternates come from the rule set's ``thresholds.panel.alternates`` when present, else
    2 technical + 1 financial.
    """
    rules = RuleSetRules.from_data(application.rule_set.data)
    panel_data = application.rule_set.data.get("thresholds", {}).get("panel", {})
    field = application.field
    return DrawRequest(
        application_field_code=field.code if field else None,
        field_parent_code=field.parent.code if field and field.parent_id else None,
        enterprise_uscc=application.enterprise.uscc,
        intermediary_uscc=application.audit_firm_uscc or "",
        rules=DrawRules.from_panel(rules.panel, panel_data.get("alternates")),
        enterprise_name=application.enterprise.name,
        intermediary_name=application.audit_firm or "",
    )


def pool_snapshot(application: Application, *, only_ids: Collection[int] | None = None) -> list[PoolExpert]:
    """The whole expert pool as the pure draw sees it, for this application, in THREE queries.

    - ``load``: the expert's non-declined reviews on applications of the application's year (the
      yearly cap counts per review year);
    - ``reviewed_enterprise_last_year``: a non-declined review of an application of the same
      enterprise for the year before;
    - ``field_codes``: only the application's field and its parent, the only codes the draw asks
      about (by row, so a 2008 registration never matches a 2016 code by accident); a technical
      expert with neither is handed over as id and kind alone (the draw only counts them);
    - ``employer_name`` and ``relations`` (name, USCC): compared by name and by code in the draw.

    Three flat queries (the experts joined with their relations, their fields, the review counts)
    rather than one with correlated subqueries: for 10,000 experts that is several times faster, and
    the count stays three whatever the pool. ``only_ids`` restricts the snapshot (a replacement
    re-checks its alternates). Fetch the application with ``select_related("enterprise", "field")``.
    """
    snapshot, _others = _snapshot(application, only_ids=only_ids, count_others=False)
    return snapshot


def draw_snapshot(application: Application) -> tuple[list[PoolExpert], int]:
    """The pool for a draw: the experts the draw screens (financial experts and the technical experts
    of the application's field or its parent), as :func:`pool_snapshot` gives them, and the NUMBER of
    the other technical experts (the draw only counts them: ``experts.draw.draw(..., others=n)``).

    Four queries, none of which reads the three in four of a 10,000-expert pool that are off the
    field (bench/draw.py): the fields, the review counts, the experts of the screened joined with
    their relations, and a count. Fetch the application with ``select_related("enterprise", "field")``.
    """
    return _snapshot(application, only_ids=None, count_others=True)


def _snapshot(
    application: Application, *, only_ids: Collection[int] | None, count_others: bool
) -> tuple[list[PoolExpert], int]:
    experts = Expert.objects.order_by("pk")
    memberships = Expert.fields.through.objects.order_by()
    year, enterprise_id = application.year, application.enterprise_id
    this_year = Q(application__year=year)
    last_year = Q(application__year=year - 1, application__enterprise_id=enterprise_id)
    reviews = Review.objects.exclude(status=ReviewStatus.DECLINED).filter(this_year | last_year).order_by()
    if only_ids is not None:
        ids = list(only_ids)
        experts = experts.filter(pk__in=ids)
        memberships = memberships.filter(expert_id__in=ids)
        reviews = reviews.filter(expert_id__in=ids)

    # The draw asks of a technical expert only "the application's field or its parent?": only those two
    # memberships are read, and a technical expert with neither is handed over as id and kind alone
    # (the draw counts them as off-field and reads nothing else of them), three in four of the pool.
    codes: dict[int, set[str]] = {}
    wanted = [
        pk
        for pk in (application.field_id, application.field.parent_id if application.field_id else None)
        if pk
    ]
    in_field = memberships.filter(field_id__in=wanted)
    for expert_id, code in in_field.values_list("expert_id", "field__code"):
        codes.setdefault(expert_id, set()).add(code)
    # Review counts of those the draw screens only: financial experts and the field's.
    screened = Q(expert__kind=FINANCIAL) | Q(expert_id__in=in_field.values("expert_id"))
    reviews = reviews.filter(screened)
    counts = {
        expert_id: (load, last)
        for expert_id, load, last in reviews.values("expert_id")
        .annotate(load=Count("pk", filter=this_year), last=Count("pk", filter=last_year))
        .values_list("expert_id", "load", "last")
    }
    none: frozenset = frozenset()
    zero = (0, 0)
    others = 0
    if count_others:
        others = experts.filter(kind=TECHNICAL).exclude(pk__in=in_field.values("expert_id")).count()
        experts = experts.filter(Q(kind=FINANCIAL) | Q(pk__in=in_field.values("expert_id")))
    # The experts with their declared relations in one query (a row per relation, ordered by expert):
    # one join on the relation's expert index instead of a second query that hashes the whole pool.
    rows = experts.values_list(
        "pk",
        "kind",
        "employer",
        "employer_uscc",
        "active",
        "yearly_cap",
        "relations__enterprise_name",
        "relations__uscc",
    )
    snapshot = []
    current: tuple | None = None
    declared: set[tuple[str, str]] = set()

    def close(row: tuple, declared: set[tuple[str, str]]) -> PoolExpert:
        pk, kind, employer, employer_uscc, active, cap = row[:6]
        if kind == TECHNICAL and pk not in codes:
            return PoolExpert(pk, kind)  # off the field: counted, not screened
        load, last = counts.get(pk, zero)
        return PoolExpert(
            pk,
            kind,
            frozenset(codes[pk]) if pk in codes else none,
            employer_uscc,
            employer,
            frozenset(declared) if declared else none,
            active,
            load,
            cap,
            last > 0,
        )

    for row in rows:
        if current is None or row[0] != current[0]:
            if current is not None:
                snapshot.append(close(current, declared))
            current, declared = row, set()
        if row[6] is not None:  # the LEFT JOIN's empty side: an expert without declared relations
            declared.add((row[6], row[7]))
    if current is not None:
        snapshot.append(close(current, declared))
    return snapshot, others
