from core.extensions import db


class PublicCount(db.Model):
    """How many published reports share one public point and the facts a public filter reads
    (precision, region, place, verified), kept in step with every change to a report by
    ``core.publiccounts``, so the map reads a few thousand rows, not every report.

    Three kinds of row: ``total`` (every report there), ``category`` (the reports there with one
    category, ``categories`` = ``",3,"``) and ``set`` (the reports there with exactly this set of
    categories, ``",3,7,"``), which only a category filter needs."""

    __tablename__ = "public_counts"
    __table_args__ = (
        # A filter reads one kind (and one category, or the verified ones) without a scan.
        db.Index("ix_public_counts_kind_categories_verified", "kind", "categories", "verified"),
    )

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), nullable=False, unique=True)  # hash of the columns below
    kind = db.Column(db.String(8), nullable=False)  # total | category | set
    location_precision = db.Column(db.String(16), nullable=False)
    public_latitude = db.Column(db.Float)
    public_longitude = db.Column(db.Float)
    region_id = db.Column(db.String(64), index=True)
    place_id = db.Column(db.String(64))
    verified = db.Column(db.Boolean, nullable=False)
    categories = db.Column(db.Text, nullable=False, default="")  # ",3,7,": sorted ids; "" for total
    count = db.Column(db.Integer, nullable=False, default=0)


class PublicCountDay(db.Model):
    """Running totals by day of one ``public_counts`` row (same ``key``): ``running`` is how many
    of its reports occurred on ``day`` or before. A row exists only for days on which one of its
    reports occurred, so the count for a period is ``running`` at the last row on or before
    ``until`` minus ``running`` at the last row before ``since``: two index look-ups per public
    point whatever the period and however many reports there are (a date filter on the map)."""

    __tablename__ = "public_count_days"
    # SQLite keeps the rows in the primary key's tree: one look-up finds ``running`` too.
    __table_args__ = {"sqlite_with_rowid": False}

    key = db.Column(db.String(64), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    running = db.Column(db.Integer, nullable=False)
