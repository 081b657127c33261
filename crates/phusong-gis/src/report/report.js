// Sorts a table by the column whose header is clicked (numeric when every key is a number).
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.querySelectorAll("th");
  heads.forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("asc");
      heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(asc ? "asc" : "desc");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[col];
        if (!cell) return "";
        var k = cell.getAttribute("data-sort");
        return k === null ? cell.textContent.trim() : k;
      };
      var numeric = rows.every(function (r) { var k = key(r); return k === "" || !isNaN(Number(k)); });
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), c;
        if (numeric) { c = (x === "" ? -Infinity : Number(x)) - (y === "" ? -Infinity : Number(y)); }
        else { c = x.localeCompare(y); }
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
