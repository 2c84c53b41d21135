// Progressive enhancement: fill a place mission's check-in form with the phone's position.
// Without JavaScript (or without permission) the resident can type the position.
document.querySelectorAll(".walking-check-in").forEach(function (form) {
  if (!navigator.geolocation) return;
  form.addEventListener("submit", function (event) {
    var lat = form.querySelector("[data-geo=latitude]");
    var lon = form.querySelector("[data-geo=longitude]");
    if (lat.value && lon.value) return;
    event.preventDefault();
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
      form.submit();
    }, function () { form.submit(); }, { enableHighAccuracy: true, timeout: 10000 });
  });
});
