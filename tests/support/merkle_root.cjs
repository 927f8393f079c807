// The root of OpenZeppelin's StandardMerkleTree (the library itself, pinned in
// governance/package.json) of the [address, amount] rows read as JSON from stdin.
const { StandardMerkleTree } = require(process.argv[2] + "/@openzeppelin/merkle-tree");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const rows = JSON.parse(input);
  process.stdout.write(StandardMerkleTree.of(rows, ["address", "uint256"]).root + "\n");
});
