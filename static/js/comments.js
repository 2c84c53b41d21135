// "More comments" without a page reload: fetch the next page and append its comments.
// Without JavaScript the link simply opens that page.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-more-comments]");
  if (!link) { return; }
  event.preventDefault();
  link.setAttribute("aria-busy", "true");
  fetch(link.href, { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var list = document.getElementById("comment-list");
      var incoming = doc.getElementById("comment-list");
      if (list && incoming) {
        Array.prototype.forEach.call(incoming.children, function (item) {
          list.appendChild(document.importNode(item, true));
        });
      }
      var next = doc.querySelector("a[data-more-comments]");
      if (next) { link.href = next.href; link.removeAttribute("aria-busy"); }
      else { link.parentNode.removeChild(link); }
    })
    .catch(function () { window.location.href = link.href; });
});
