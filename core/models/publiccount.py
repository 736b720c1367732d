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
        # The map reads the points in a box, or in strips along its sides, by one of these.
        db.Index("ix_public_counts_kind_latitude", "kind", "public_latitude"),
        db.Index("ix_public_counts_kind_longitude", "kind", "public_longitude"),
        db.Index("ix_public_counts_kind_precision", "kind", "location_precision", "region_id"),
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
    """Running totals by day of one ``public_counts`` row (``count_id``): ``running`` is how many
    of its reports occurred on ``day`` or before. A row exists only for days on which one of its
    reports occurred, so the count for a period is ``running`` at the last row on or before
    ``until`` minus ``running`` at the last row before ``since``: two index look-ups per public
    point whatever the period and however many reports there are (a date filter on the map)."""

    __tablename__ = "public_count_days"
    # SQLite keeps the rows in the primary key's tree: one look-up finds ``running`` too. The
    # row's id, not its 64-character key: a million reports make over a million of these rows,
    # and a quarter of the size is what keeps a date filter's look-ups in memory.
    __table_args__ = {"sqlite_with_rowid": False}

    count_id = db.Column(db.Integer, primary_key=True, autoincrement=False)  # public_counts.id
    day = db.Column(db.Date, primary_key=True)
    running = db.Column(db.Integer, nullable=False)


class PublicCell(db.Model):
    """How many published reports have their public point in one map grid cell at a band zoom
    (``core.mapgrid.BANDS``), with the sums of their coordinates (micro-degrees) for the cluster's
    centre, kept in step with ``PublicCount`` by ``core.publiccounts``: a country view reads a few
    dozen cells, not every public point. Same three kinds of row as ``PublicCount``; only reports
    placed at a place or grid point are in cells (a region's reports are drawn at its centre, read
    from ``PublicCount``)."""

    __tablename__ = "public_cells"
    __table_args__ = (
        # A ring of cells around the ones already read: its south and north sides by row, its
        # west and east sides by column.
        db.Index("ix_public_cells_zoom_kind_row", "zoom", "kind", "cell_row"),
        db.Index("ix_public_cells_zoom_kind_col", "zoom", "kind", "cell_col"),
    )

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), nullable=False, unique=True)  # hash of the columns below
    kind = db.Column(db.String(8), nullable=False)  # total | category | set
    zoom = db.Column(db.Integer, nullable=False)
    cell_row = db.Column(db.Integer, nullable=False)
    cell_col = db.Column(db.Integer, nullable=False)
    region_id = db.Column(db.String(64))  # a cell across a border has a row for each region
    verified = db.Column(db.Boolean, nullable=False)
    categories = db.Column(db.Text, nullable=False, default="")
    count = db.Column(db.Integer, nullable=False, default=0)
    lat_sum = db.Column(db.BigInteger, nullable=False, default=0)  # Σ latitude × 10⁶ per report
    lon_sum = db.Column(db.BigInteger, nullable=False, default=0)


class PublicCellDay(db.Model):
    """Running totals by day of one ``PublicCell`` (``cell_id``, as ``PublicCountDay``), with
    running sums of the coordinates, so a date filter also places the cluster where its reports of
    the period are."""

    __tablename__ = "public_cell_days"
    __table_args__ = {"sqlite_with_rowid": False}

    cell_id = db.Column(db.Integer, primary_key=True, autoincrement=False)  # public_cells.id
    day = db.Column(db.Date, primary_key=True)
    running = db.Column(db.Integer, nullable=False)
    running_lat = db.Column(db.BigInteger, nullable=False)
    running_lon = db.Column(db.BigInteger, nullable=False)


class PublicPointCount(db.Model):
    """``PublicCount`` summed over place names and verification: how many published reports are
    drawn at one public point (same three kinds). The map's points without a verified filter read
    these: a third of the rows at a district zoom, so a date filter looks up a third of the
    running totals. Kept in step by ``core.publiccounts`` with the other counts."""

    __tablename__ = "public_point_counts"
    __table_args__ = (
        db.Index("ix_public_point_counts_kind_categories", "kind", "categories"),
        db.Index("ix_public_point_counts_kind_latitude", "kind", "public_latitude"),
        db.Index("ix_public_point_counts_kind_longitude", "kind", "public_longitude"),
        db.Index("ix_public_point_counts_kind_precision", "kind", "location_precision", "region_id"),
    )

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), nullable=False, unique=True)  # hash of the columns below
    kind = db.Column(db.String(8), nullable=False)
    location_precision = db.Column(db.String(16), nullable=False)
    public_latitude = db.Column(db.Float)
    public_longitude = db.Column(db.Float)
    region_id = db.Column(db.String(64))
    categories = db.Column(db.Text, nullable=False, default="")
    count = db.Column(db.Integer, nullable=False, default=0)


class PublicPointCountDay(db.Model):
    """Running totals by day of one ``PublicPointCount`` (``point_id``), as ``PublicCountDay``."""

    __tablename__ = "public_point_count_days"
    __table_args__ = {"sqlite_with_rowid": False}

    point_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    day = db.Column(db.Date, primary_key=True)
    running = db.Column(db.Integer, nullable=False)


class PublicAreaCount(db.Model):
    """``PublicCount`` summed over points and verification: how many published reports each region
    and place holds, as they are published (precision: a region's reports are not in a place).
    The choropleth and the count of every matching report without a box or a verified filter read
    these: a few dozen rows whatever the number of points."""

    __tablename__ = "public_area_counts"
    __table_args__ = (
        db.Index("ix_public_area_counts_kind_categories", "kind", "categories"),
    )

    id = db.Column(db.Integer, primary_key=True)
    key = db.Column(db.String(64), nullable=False, unique=True)  # hash of the columns below
    kind = db.Column(db.String(8), nullable=False)
    location_precision = db.Column(db.String(16), nullable=False)
    region_id = db.Column(db.String(64))
    place_id = db.Column(db.String(64))
    categories = db.Column(db.Text, nullable=False, default="")
    count = db.Column(db.Integer, nullable=False, default=0)


class PublicAreaCountDay(db.Model):
    """Running totals by day of one ``PublicAreaCount`` (``area_id``), as ``PublicCountDay``."""

    __tablename__ = "public_area_count_days"
    __table_args__ = {"sqlite_with_rowid": False}

    area_id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    day = db.Column(db.Date, primary_key=True)
    running = db.Column(db.Integer, nullable=False)
