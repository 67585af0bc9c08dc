"""A stream as one file of a set saw it (a piece), and how pieces of one connection are found in
consecutive files: a piece that was still open when its file ended continues in a later file
where the same two endpoints appear without a handshake."""

# A connection closed this close to its file's end may still have late segments (a RST answering
# a FIN, a retransmitted FIN) in the next file.
LATE_SEGMENTS_S = 60.0
# A client resends an unanswered SYN for this long (Linux: 6 retries, 127 s; Windows: 21 s): a SYN
# this soon after its file began may carry on a handshake begun in the file before.
SYN_RETRIES_S = 130.0


class Piece:
    __slots__ = ("file_index", "row", "chain")

    def __init__(self, file_index, row):
        self.file_index = file_index
        self.row = row
        self.chain = None

    @property
    def pair(self):
        """The two endpoints, in either order: a piece caught mid-stream may have its roles swapped."""
        return (self.row["transport"],) + tuple(sorted((self.row["client"], self.row["server"])))

    @property
    def stream(self):
        return int(self.row["stream"])

    def ended(self):
        history = self.row["history"]
        return "R" in history or "r" in history or ("F" in history and "f" in history)

    def opens_connection(self):
        """It holds the client's SYN: a connection of its own, unless the one before it on the
        same endpoints never got past its handshake (the SYN is resent into the next file)."""
        return "S" in self.row["history"]

    def unanswered_handshake(self):
        """Only the client's SYNs so far, no answer from the server (history letters of the server
        are lower case; an ICMP error does not stop the client's retries): a later SYN on the same
        endpoints is the same attempt resent, as Wireshark numbers its streams."""
        history = self.row["history"]
        return self.row["stage"] == "handshake" and not any(c.islower() for c in history)

    def may_continue(self, file_end):
        """It may go on in a later file: open at its file's end, or closed just before it."""
        if not self.ended():
            return True
        return file_end is not None and float(self.row["end_time"]) >= file_end - LATE_SEGMENTS_S


def may_join_others(row, file_start, file_end):
    """Whether a stream of a file may be one piece of a connection that spans files: its frames
    are kept until the set's connections are known."""
    piece = Piece(0, row)
    if piece.may_continue(file_end) or not piece.opens_connection():
        return True
    return file_start is not None and float(row["start_time"]) <= file_start + SYN_RETRIES_S


def chain_pieces(files):
    """Links the pieces of consecutive files (each a (rows, file_end) pair, in time order) into
    chains, one per connection: lists of pieces in file order."""
    chains = []
    open_by_pair = {}  # pair -> the chain whose latest piece may continue
    for index, (rows, file_end) in enumerate(files):
        for row in rows:
            piece = Piece(index, row)
            previous = open_by_pair.get(piece.pair)
            continues = previous is not None and previous[-1].file_index < index and (
                not piece.opens_connection() or previous[-1].unanswered_handshake())
            if continues:
                piece.chain = previous
                previous.append(piece)
            else:
                piece.chain = [piece]
                chains.append(piece.chain)
            if piece.may_continue(file_end):
                open_by_pair[piece.pair] = piece.chain
            elif open_by_pair.get(piece.pair) is piece.chain:
                del open_by_pair[piece.pair]
    return chains


def needs_stitching(chain, last_file_index):
    """Its verdict from its own file is not the set's: it spans files, or it was still open when a
    file other than the last ended (the set's later end may change what its silence means)."""
    return len(chain) > 1 or (chain[-1].file_index != last_file_index and not chain[-1].ended())
