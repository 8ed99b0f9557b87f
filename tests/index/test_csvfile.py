import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.errors import SourceError
from index.sources import RowProblem
from index.sources.csvfile import decode, header_of, parse, sniff_delimiter


def rows_of(data: bytes, **kwargs):
    return list(parse(data).rows(**kwargs))


def test_rows_carry_the_physical_line_where_they_start():
    data = b'id,text\n1,"one\nline two"\n\n2,two\n'
    assert rows_of(data) == [(2, {"id": "1", "text": "one\nline two"}), (5, {"id": "2", "text": "two"})]


def test_crlf_line_ends():
    assert rows_of(b"id,text\r\n1,a\r\n2,b") == [(2, {"id": "1", "text": "a"}), (3, {"id": "2", "text": "b"})]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("nom,ville\nMédiathèque,Nîmes\n".encode(), "utf-8"),
        ("nom,ville\nMédiathèque,Nîmes\n".encode("utf-8-sig"), "utf-8-sig"),
        ("nom,ville\nMédiathèque,Nîmes\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_detected(data, encoding):
    table = parse(data)
    assert table.encoding == encoding
    assert table.header == ("nom", "ville")
    assert list(table.rows()) == [(2, {"nom": "Médiathèque", "ville": "Nîmes"})]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(delimiter):
    data = (
        delimiter.join(["nom", "ville", "note"]).encode()
        + b"\n"
        + delimiter.join(["a", "b", "x, y; z"]).encode()
    )
    if delimiter in ",;":
        data = data.replace(b"x, y; z", b'"x, y; z"')
    assert rows_of(data) == [(2, {"nom": "a", "ville": "b", "note": "x, y; z"})]


def test_delimiter_inside_quotes_does_not_count():
    assert sniff_delimiter('"a;b;c",d,e') == ","
    assert sniff_delimiter("only") == ","


def test_ragged_row_is_a_problem_with_its_line_and_id():
    data = b"n_ref,nom,ville\nRef_1,a,b\nRef_2,a\nRef_3,a,b,c\nRef_4,a,b,,\n"
    items = rows_of(data, id_columns=("n_ref",))
    assert items[0] == (2, {"n_ref": "Ref_1", "nom": "a", "ville": "b"})
    assert isinstance(items[1], RowProblem)
    assert (items[1].line, items[1].id, items[1].fatal) == (3, "Ref_2", True)
    assert "ragged row: 2 fields" in items[1].reason
    assert isinstance(items[2], RowProblem)
    assert items[2].line == 4
    assert "4 fields" in items[2].reason
    assert items[3] == (5, {"n_ref": "Ref_4", "nom": "a", "ville": "b"})  # trailing empty cells are fine


def test_truncated_last_row_is_reported():
    items = rows_of(b"n_ref,nom,ville\nRef_1,a,b\nRef_2,a", id_columns=("n_ref",))
    assert items[0] == (2, {"n_ref": "Ref_1", "nom": "a", "ville": "b"})
    assert isinstance(items[1], RowProblem)
    assert items[1].line == 3
    assert items[1].reason.startswith("truncated row")


def test_file_cut_inside_a_quoted_value_is_truncated():
    items = rows_of(b'n_ref,nom,ville\nRef_1,a,b\nRef_2,a,"Saint-\n', id_columns=("n_ref",))
    assert isinstance(items[1], RowProblem)
    assert "inside a quoted value" in items[1].reason


def test_repeated_column_keeps_the_first_non_empty_value():
    assert rows_of(b"a,dep,dep\n1,,31\n2,09,32\n") == [
        (2, {"a": "1", "dep": "31"}),
        (3, {"a": "2", "dep": "09"}),
    ]


def test_leading_blank_lines_keep_line_numbers():
    assert rows_of(b"\n\nid\n1\n") == [(4, {"id": "1"})]


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\n", b",,,\n", b"\x00\x01\x02binary\x00", bytes(range(256)) * 4, b"\xff\xfen\x00o\x00m\x00"],
)
def test_unusable_bytes_raise_source_error(data):
    with pytest.raises(SourceError):
        parse(data)


def test_decode_refuses_control_characters():
    with pytest.raises(SourceError, match="binary"):
        decode(b"a,b\n" + b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c" * 20)


def test_header_of_reads_only_the_beginning():
    data = b"nom,n_ref\n" + b"x,y\n" * 100_000
    assert header_of(data, limit=1000) == ("nom", "n_ref")
    assert header_of(b"\x00\x00") == ()


def test_oversized_cell_is_one_bad_row_and_the_next_rows_are_read():
    data = b"id,text\n1,a\n2," + b"x" * 200_000 + b"\n3,c\n"
    rows = rows_of(data, id_columns=("id",))
    assert rows[0] == (2, {"id": "1", "text": "a"})
    assert rows[1] == RowProblem(3, "a cell of 200000 characters, more than the 131072 allowed (a quote left open?)",
                                 "2")
    assert rows[2] == (4, {"id": "3", "text": "c"})


@pytest.mark.parametrize("data", [
    b'id,text\n1,"one\nline two"\n\n2,two\n',
    b"id,text\r\n1,a\r\n2,b",
    b"\n\nid;text\n1;a\n;\n  \n\"\"\n2;\"b;\"\"c\"\"\"\n",
    b'id\ttext\n1\t5" screen\n\t\n2\tb\n',
    b'id,text\n1,"cut inside',
])
def test_record_count_agrees_with_the_rows_read(data):
    table = parse(data)
    assert table.record_count() == len(list(table.rows()))


@given(st.lists(st.lists(st.text(alphabet=st.sampled_from('ab ,;"\n\r\t'), max_size=6), min_size=2, max_size=2),
                max_size=8))
def test_record_count_agrees_with_the_rows_of_any_written_csv(records):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["id", "text"], *records])
    table = parse(out.getvalue().encode())
    assert table.record_count() == len(list(table.rows()))
