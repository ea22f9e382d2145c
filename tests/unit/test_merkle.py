"""domain.merkle against RFC 6962's published test vectors (as the Certificate Transparency and
transparency-dev test suites publish them), pymerkle as an independent implementation, and the
property that every proof between sizes up to 64 verifies and no tampered one does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import merkle

INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")] + [
    bytes.fromhex("606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
H = {
    name: bytes.fromhex(h)
    for name, h in {
        "l1": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "n23": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "n47": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        "l4": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "n67": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "n03": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "l0": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "n01": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "n45": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "l6": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    }.items()
}
# (leaf index, tree size, proof) and (first, second, proof): the published vectors
INCLUSION = [
    (0, 8, ["l1", "n23", "n47"]),
    (5, 8, ["l4", "n67", "n03"]),
    (2, 3, ["n01"]),
    (1, 5, ["l0", "n23", "l4"]),
]
CONSISTENCY = [
    (1, 8, ["l1", "n23", "n47"]),
    (6, 8, ["n45", "n67", "n03"]),
    (2, 5, ["n23", "l4"]),
    (6, 7, ["n45", "l6", "n03"]),
]
LEAVES = [merkle.leaf_hash(data) for data in INPUTS]


def subtree_of(leaves: list[bytes]) -> merkle.Subtree:
    return lambda start, end: merkle.root_of(leaves[start:end])


def test_the_roots_of_the_reference_tree_at_every_size_are_rfc_6962s() -> None:
    for size, root in enumerate(ROOTS):
        assert merkle.root_of(LEAVES[:size]) == root


def test_the_published_inclusion_proofs_are_the_ones_made_and_they_verify() -> None:
    for index, size, names in INCLUSION:
        proof = [H[n] for n in names]
        assert merkle.inclusion_proof(index, size, subtree_of(LEAVES)) == proof
        assert merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size])
        assert not merkle.verify_inclusion(index + 1, size, LEAVES[index], proof, ROOTS[size])
        assert not merkle.verify_inclusion(index, size, LEAVES[index], proof[:-1], ROOTS[size])


def test_the_published_consistency_proofs_are_the_ones_made_and_they_verify() -> None:
    for first, second, names in CONSISTENCY:
        proof = [H[n] for n in names]
        assert merkle.consistency_proof(first, second, subtree_of(LEAVES)) == proof
        assert merkle.verify_consistency(first, second, proof, ROOTS[first], ROOTS[second])
        assert not merkle.verify_consistency(first, second, proof, ROOTS[second], ROOTS[first])
        assert not merkle.verify_consistency(first, second, proof[1:], ROOTS[first], ROOTS[second])


def test_trivial_consistency_needs_an_empty_proof_and_never_goes_back_in_time() -> None:
    assert merkle.verify_consistency(0, 5, [], merkle.EMPTY_ROOT, ROOTS[5])
    assert merkle.verify_consistency(5, 5, [], ROOTS[5], ROOTS[5])
    assert not merkle.verify_consistency(5, 5, [], ROOTS[5], ROOTS[6])
    assert not merkle.verify_consistency(5, 5, [ROOTS[5]], ROOTS[5], ROOTS[5])
    assert not merkle.verify_consistency(6, 5, [], ROOTS[6], ROOTS[5])
    assert not merkle.verify_consistency(1, 2, [], ROOTS[1], ROOTS[2])


def test_roots_agree_with_pymerkle_an_independent_implementation() -> None:
    from pymerkle import InmemoryTree

    tree = InmemoryTree(algorithm="sha256")
    leaves = []
    for i in range(1, 70):
        data = f"entry {i}".encode()
        tree.append_entry(data)
        leaves.append(merkle.leaf_hash(data))
        assert merkle.root_of(leaves) == tree.get_root()


def test_a_compact_range_names_each_perfect_subtree_it_completes() -> None:
    tree, nodes = merkle.CompactRange(), {}
    for leaf in LEAVES:
        for level, index, node in tree.append(leaf):
            nodes[level, index] = node
    assert nodes == {(1, 0): H["n01"], (1, 1): H["n23"], (1, 2): H["n45"], (1, 3): H["n67"], (2, 0): H["n03"],
                     (2, 1): H["n47"], (3, 0): ROOTS[8]}  # fmt: skip
    resumed = merkle.CompactRange(5, merkle.CompactRange(5, [H["n03"], LEAVES[4]]).hashes)
    assert resumed.root() == ROOTS[5]
    with pytest.raises(ValueError):
        merkle.CompactRange(5, [H["n03"]])


sizes = st.integers(min_value=1, max_value=64)


@given(st.data())
def test_every_inclusion_and_consistency_proof_up_to_64_leaves_verifies_and_a_changed_one_does_not(
    data: st.DataObject,
) -> None:
    second = data.draw(sizes, label="second")
    first = data.draw(st.integers(min_value=1, max_value=second), label="first")
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(second)]
    subtree = subtree_of(leaves)
    first_root, second_root = merkle.root_of(leaves[:first]), merkle.root_of(leaves)

    index = data.draw(st.integers(min_value=0, max_value=first - 1), label="index")
    path = merkle.inclusion_proof(index, first, subtree)
    assert merkle.verify_inclusion(index, first, leaves[index], path, first_root)
    assert not merkle.verify_inclusion(index, first, merkle.leaf_hash(b"other"), path, first_root)

    proof = merkle.consistency_proof(first, second, subtree)
    assert merkle.verify_consistency(first, second, proof, first_root, second_root)
    if first < second:
        forked = merkle.root_of([*leaves[: second - 1], merkle.leaf_hash(b"rewritten")])
        assert not merkle.verify_consistency(first, second, proof, first_root, forked)
        assert not merkle.verify_consistency(first, second, proof, merkle.leaf_hash(b"x"), second_root)


def test_every_pair_of_sizes_up_to_64_has_verifying_proofs() -> None:
    # The property above samples; this walks all 2,080 pairs once (a second).
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(64)]
    subtree = subtree_of(leaves)
    roots = [merkle.root_of(leaves[:n]) for n in range(65)]
    for second in range(1, 65):
        for first in range(1, second + 1):
            proof = merkle.consistency_proof(first, second, subtree)
            assert merkle.verify_consistency(first, second, proof, roots[first], roots[second]), (first, second)
        for index in range(second):
            path = merkle.inclusion_proof(index, second, subtree)
            assert merkle.verify_inclusion(index, second, leaves[index], path, roots[second]), (index, second)
