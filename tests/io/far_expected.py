"""The expected bytes of an OpenFst archive, assembled machine by machine
(shared by the FAR tests; a module of its own so that importing it never
runs another test module's hypothesis decorators)."""


def expected_archive_bytes(machines, far_type):
    """The sttable/stlist archive of ``machines`` assembled entry by entry
    with the per-machine encoder: what the batch writers must reproduce."""
    from kleene.io.far_sttable import (
        STLIST_TRAILER,
        encode_entry,
        far_head,
        sttable_trailer,
    )
    parts, positions, offset = [far_head(far_type)], [], 8
    for key in sorted(machines):
        entry = encode_entry(key, machines[key])
        parts.append(entry)
        positions.append(offset)
        offset += len(entry)
    parts.append(sttable_trailer(positions) if far_type == "sttable" else STLIST_TRAILER)
    return b"".join(parts)
