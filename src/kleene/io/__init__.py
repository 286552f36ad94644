"""Reading and writing machines: OpenFst text and binary, AT&T, dot, native."""
