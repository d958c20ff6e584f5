"""The papers whose physics fastspin implements, as citations.

A model's ``reference`` is one of these :class:`Reference` objects.  ``fastspin
models``, the store attrs, figure titles and docstrings cite them through
:meth:`Reference.citation` (full) and :meth:`Reference.short` (in running text).
Journal, volume, page, year and DOI are filled in only where they were confirmed;
an unconfirmed field stays empty rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One publication: authors, title and, where confirmed, where it appeared."""

    authors: tuple[str, ...]
    title: str
    journal: str = ""
    volume: str = ""
    page: str = ""
    year: int | None = None
    doi: str = ""
    arxiv: str = ""

    def short(self) -> str:
        """"Surname et al. (year)" for running text and figure titles."""
        surname = self.authors[0].split(",")[0].split()[-1]
        who = surname if len(self.authors) == 1 else (
            f"{surname} and {self.authors[1].split(',')[0].split()[-1]}" if len(self.authors) == 2 else f"{surname} et al."
        )
        return f"{who} ({self.year})" if self.year else who

    def citation(self) -> str:
        """The full citation: authors, title, journal volume, page (year), DOI."""
        if len(self.authors) > 1:
            names = ", ".join(self.authors[:-1]) + " and " + self.authors[-1]
        else:
            names = self.authors[0]
        text = f"{names}, \u201c{self.title}\u201d"
        if self.journal:
            text += f", {self.journal}"
            if self.volume:
                text += f" {self.volume}"
            if self.page:
                text += f", {self.page}"
        if self.year:
            text += f" ({self.year})"
        if self.doi:
            text += f", doi:{self.doi}"
        elif self.arxiv:
            text += f", arXiv:{self.arxiv}"
        return text

    def as_attrs(self) -> dict[str, str]:
        """Plain-JSON attrs for a Dataset or a Zarr store."""
        attrs = {"reference": self.citation()}
        if self.doi:
            attrs["reference_doi"] = self.doi
        return attrs


#: F/I/S junction with a precessing magnetization (models ``fis``, ``fis_response``, ``tilt``)
OJAJARVI_2020 = Reference(
    authors=("R. Ojajärvi", "J. Manninen", "T. T. Heikkilä", "P. Virtanen"),
    title="Nonlinear spin torque, pumping, and cooling in superconductor/ferromagnet systems",
    journal="Phys. Rev. B", volume="101", page="115406", year=2020,
    doi="10.1103/PhysRevB.101.115406", arxiv="1907.00424",
)

#: magnon spin and heat transfer at a normal-metal / magnetic-insulator interface (``magnon``)
BENDER_2015 = Reference(
    authors=("S. A. Bender", "Y. Tserkovnyak"),
    title="Interfacial spin and heat transfer between metals and magnetic insulators",
    journal="Phys. Rev. B", volume="91", page="140402", year=2015,
    doi="10.1103/PhysRevB.91.140402", arxiv="1409.7128",
)

#: ferromagnetic quantum dot with a non-equilibrium distribution (``dot``)
LUDWIG_2017 = Reference(
    authors=("T. Ludwig", "I. S. Burmistrov", "Y. Gefen", "A. Shnirman"),
    title="Strong non-equilibrium effects in spin torque systems",
    arxiv="1610.09944",
)

#: thermal spin-transfer torques of a conducting ferromagnet (``texture``)
KOHNO_2016 = Reference(
    authors=("H. Kohno", "Y. Hiraoka", "M. Hatami", "G. E. W. Bauer"),
    title="Microscopic calculation of thermally-induced spin-transfer torques",
    arxiv="1408.4562",
)

#: S–I–Sm thermospin junction (``sis``, ``sis_merit``)
GERMANESE_2021 = Reference(
    authors=("G. Germanese", "F. Paolucci", "G. Marchegiani", "A. Braggio", "F. Giazotto"),
    title="Spontaneous symmetry breaking induced thermospin effect in superconducting tunnel junctions",
    year=2021, arxiv="2105.01527",
)

#: the stochastic Landau–Lifshitz–Gilbert–Slonczewski macrospin (``macrospin``)
BROWN_1963 = Reference(
    authors=("W. F. Brown, Jr.",),
    title="Thermal fluctuations of a single-domain particle",
    journal="Phys. Rev.", volume="130", page="1677", year=1963,
    doi="10.1103/PhysRev.130.1677",
)

#: the five papers whose physics fastspin implements (not the macrospin textbook result)
PAPERS: tuple[Reference, ...] = (OJAJARVI_2020, BENDER_2015, LUDWIG_2017, KOHNO_2016, GERMANESE_2021)

__all__ = [
    "BENDER_2015", "BROWN_1963", "KOHNO_2016", "LUDWIG_2017", "OJAJARVI_2020", "PAPERS",
    "Reference", "GERMANESE_2021",
]
